/*
 * rammerhead.js (rammerhead-go)
 *
 * The original Rammerhead's client script patches the page (through
 * hammerhead) and keeps the page's localStorage in step with the session on
 * the server. Client-side rewriting is out of scope for rammerhead-go, so
 * nothing is patched and nothing runs by itself. This script only exposes a
 * small client of the server's localStorage sync protocol:
 *
 *   window.__rammerheadGo.localStorageSync.fetch()        -> Promise<{timestamp, data}>
 *   window.__rammerheadGo.localStorageSync.update({k: v}) -> Promise<{timestamp}>
 *
 * Both talk to POST /syncLocalStorage?sessionId=<id>&origin=<page origin>,
 * where the session id and the page's upstream origin come from this page's
 * proxied URL (/<id>/<upstream URL>, unshuffled with /api/shuffleDict when
 * it is shuffled).
 */
(function () {
    'use strict';
    var BASE = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-';
    var MARKER = '_rhs';

    function mod(n, m) {
        return ((n % m) + m) % m;
    }
    function unshuffle(dict, str) {
        if (str.indexOf(MARKER) !== 0) return str;
        str = str.slice(MARKER.length);
        var out = '';
        for (var i = 0; i < str.length; i++) {
            var c = str.charAt(i);
            if (c === '%' && str.length - i >= 3) {
                out += c + str.charAt(i + 1) + str.charAt(i + 2);
                i += 2;
                continue;
            }
            var idx = dict.indexOf(c);
            out += idx === -1 ? c : BASE.charAt(mod(idx - i, BASE.length));
        }
        return out;
    }

    var m = /^\/([A-Za-z0-9_-]{1,64})\/(.*)$/.exec(window.location.pathname + window.location.search);
    if (!m) return;
    var sessionId = m[1];
    var rest = m[2];

    function upstreamOrigin() {
        if (rest.indexOf(MARKER) !== 0) return Promise.resolve(new URL(rest).origin);
        return fetch('/api/shuffleDict?id=' + encodeURIComponent(sessionId))
            .then(function (r) {
                return r.json();
            })
            .then(function (dict) {
                return new URL(dict ? unshuffle(dict, rest) : rest).origin;
            });
    }

    function post(body) {
        return upstreamOrigin().then(function (origin) {
            return fetch(
                '/syncLocalStorage?sessionId=' + encodeURIComponent(sessionId) + '&origin=' + encodeURIComponent(origin),
                { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
            ).then(function (r) {
                if (!r.ok) throw new Error('syncLocalStorage: ' + r.status);
                return r.json();
            });
        });
    }

    window.__rammerheadGo = window.__rammerheadGo || {};
    window.__rammerheadGo.localStorageSync = {
        fetch: function () {
            return post({ type: 'sync', fetch: true });
        },
        update: function (data) {
            return post({ type: 'update', updateData: data });
        }
    };
})();
