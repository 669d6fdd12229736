// The shop's own code: it reports cart actions to Precis through the command queue,
// exactly as a site would, whether or not the Precis script has loaded yet.
window.precis = window.precis || [];
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-shop-action]') : null;
  if (!button) return;
  const type = button.getAttribute('data-shop-action');
  window.precis.push((api) => {
    api.track({
      type,
      item: button.getAttribute('data-item'),
      category: button.getAttribute('data-category'),
      price: Number(button.getAttribute('data-price')),
    });
  });
  const status = document.querySelector('.shop-status');
  if (status) status.textContent = type === 'purchase' ? 'Thank you for your order!' : 'Added to your cart.';
});

// "Recommended for you": the model's best products for this visitor, among those the shop
// sells, drawn from the cards already on the page. The row's height is reserved in CSS.
document.addEventListener('DOMContentLoaded', () => {
  const row = document.querySelector('[data-shop-recommend]');
  if (!row) return;
  const cards = new Map([...document.querySelectorAll('.card [data-precis-item]')].map((a) => [a.getAttribute('data-precis-item'), a.closest('.card')]));
  window.precis.push(async (api) => {
    const { items } = await api.recommend({ k: Number(row.getAttribute('data-shop-recommend')), among: [...cards.keys()] });
    row.replaceChildren(...items.map(({ item }) => cards.get(item).cloneNode(true)));
  });
});

// "Your data": what Precis keeps about this visitor, their consent, download and delete.
document.addEventListener('DOMContentLoaded', () => {
  const table = document.querySelector('.data-table tbody');
  if (!table) return;
  window.precis.push((api) => {
    const show = async () => {
      const data = await api.myData();
      for (const box of document.querySelectorAll('[data-consent]')) box.checked = data.consent[box.getAttribute('data-consent')];
      document.querySelector('.data-summary').textContent =
        `${data.events.length} events, kept ${data.storedIn === 'indexeddb' ? 'in this browser' : 'only for this page'}.`;
      table.replaceChildren(...data.events.slice().reverse().map((event) => {
        const row = document.createElement('tr');
        for (const text of [new Date(event.time).toLocaleString(), event.type, event.item ?? event.url ?? '', event.category ?? '']) {
          const cell = document.createElement('td');
          cell.textContent = text;
          row.append(cell);
        }
        return row;
      }));
    };
    document.addEventListener('change', (event) => {
      const name = event.target.getAttribute && event.target.getAttribute('data-consent');
      if (name) api.consent({ [name]: event.target.checked });
    });
    document.addEventListener('click', async (event) => {
      const action = event.target.getAttribute && event.target.getAttribute('data-data-action');
      if (action === 'delete') {
        await api.forget();
        await show();
      }
      if (action === 'download') {
        const blob = new Blob([JSON.stringify(await api.myData(), null, 2)], { type: 'application/json' });
        const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(blob), download: 'my-precis-data.json' });
        link.click();
        URL.revokeObjectURL(link.href);
      }
    });
    api.on('consent', show);
    void api.ready.then(show);
  });
});
