/*
 * hammerhead.js (rammerhead-go)
 *
 * The original Rammerhead injects testcafe-hammerhead's client script here,
 * which rewrites URLs inside the page at run time (fetch, XHR, DOM
 * properties, document.cookie...). Client-side rewriting is out of scope for
 * rammerhead-go: pages are rewritten on the server (HTML attributes and CSS
 * url()s). This script stays so that sessions written by the original, whose
 * injectable lists /hammerhead.js, load without a 404.
 */
(function () {
    'use strict';
    window.__rammerheadGo = window.__rammerheadGo || {};
    window.__rammerheadGo.clientRewriting = false;
})();
