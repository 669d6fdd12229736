// A publisher's Prebid build with Precis's Real-Time Data submodule as shipped
// (dist/prebid-rtd.js, the package's `precis/prebid-rtd`), configured as README "With your
// ad stack" shows. (JavaScript, so type-checking does not need a build.)
import { runRecordedAuctions } from './record-auctions';
import '../../../dist/prebid-rtd.js';

runRecordedAuctions({ realTimeData: { auctionDelay: 0, dataProviders: [{ name: 'precis', params: { dbName: 'precis' } }] } });
