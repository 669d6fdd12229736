// What reading a page's product markup costs on the main thread, in Chromium: the reader
// auto-capture runs on load and after each SPA route change (`readPageProductView`),
// bundled from src/ with esbuild and run on generated pages. Prints JSON; compare the
// rows as ratios to the plain product page of the same run.
//   node test/bench/capture-markup-bench.mjs
import { build } from 'esbuild';
import { launchChromium, ratio, summarize } from './harness.mjs';

const RUNS = Number(process.env.PRECIS_BENCH_RUNS ?? 30);

const script = (data) => `<script type="application/ld+json">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`;
const variant = (n) => ({
  '@type': 'Product', '@id': `/products/kart?variant=${n}#variant`, sku: `K-${n}`, name: `Kart ${n}`,
  offers: { '@type': 'Offer', price: `${10 + (n % 50)}.00`, priceCurrency: 'USD', url: `https://shop.example/products/kart?variant=${n}` },
});
const PAGES = {
  'plain product': script({ '@type': 'Product', sku: 'K1', category: 'Racing', offers: { price: '39.00' } }),
  'ProductGroup, 2,048 variants, the last one selected': script({
    '@type': 'ProductGroup', '@id': '/products/kart#product', name: 'Kart', category: 'Racing',
    hasVariant: Array.from({ length: 2048 }, (_, n) => variant(n)),
  }),
  'listing, 500 products': script(Array.from({ length: 500 }, (_, n) => ({ '@type': 'Product', sku: `K${n}`, offers: { price: n } }))),
  'broken JSON, 900,000 characters': `<script type="application/ld+json">{"@type":"Product","sku":"K1","d":"${'x'.repeat(900_000)}</script>`,
  'microdata on <body>, 3,000 elements': `<div itemscope itemtype="http://schema.org/Product"><span itemprop="sku">K1</span>${
    '<div><span>text</span></div>'.repeat(1500)}<div itemprop="offers" itemscope itemtype="http://schema.org/Offer"><meta itemprop="price" content="9"></div></div>`,
};

const bundle = await build({
  stdin: {
    contents: "import { readPageProductView, readJsonLdTexts } from './src/capture/page-product'; window.readView = () => readPageProductView(document, { url: 'https://shop.example/products/kart?variant=2047' }, readJsonLdTexts(document));",
    resolveDir: process.cwd(), loader: 'ts',
  },
  bundle: true, format: 'iife', write: false, minify: true, logLevel: 'error',
});
const code = bundle.outputFiles[0].text;

const browser = await launchChromium();
const results = {};
try {
  const page = await browser.newPage();
  for (const [name, body] of Object.entries(PAGES)) {
    await page.setContent(`<!doctype html><html><head></head><body>${body}</body></html>`);
    await page.addScriptTag({ content: code });
    const { times, view } = await page.evaluate((runs) => {
      const times = [];
      let view;
      for (let i = 0; i < runs; i += 1) {
        const start = performance.now();
        view = window.readView();
        times.push(performance.now() - start);
      }
      return { times, view: view ?? null };
    }, RUNS);
    results[name] = { ms: summarize(times), view };
  }
} finally {
  await browser.close();
}
const base = results['plain product'].ms.median;
for (const row of Object.values(results)) row.vsPlain = ratio(row.ms.median, base);
console.log(JSON.stringify({ runs: RUNS, results }, null, 2));
