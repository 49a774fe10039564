// d3, served by the e2ctwin server from its npm package (no CDN: the app works offline).
export { default } from '/vendor/d3.js';
