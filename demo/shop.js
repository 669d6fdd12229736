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
