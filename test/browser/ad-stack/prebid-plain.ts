// A publisher's Prebid build without anything of Precis's: the script tag alone feeds it.
import { runRecordedAuctions } from './record-auctions';

runRecordedAuctions();
