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
