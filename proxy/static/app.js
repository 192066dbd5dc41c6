/*
 * Rammerhead homepage script.
 *
 * Stable element ids (browser tests rely on them; keep them in step with
 * index.html):
 *   #password        password input, shown when /needpassword answers true;
 *                    its value is kept in localStorage ("rammerhead_password")
 *   #new-session     button: GET /newsession, adds the id to #sessions and
 *                    selects it
 *   #sessions        <ul> of my sessions (localStorage
 *                    "rammerhead_sessionids"); each <li data-id="..."> has the
 *                    id, the creation time, and "use" / "delete" buttons
 *   #session-id      input holding the current session id
 *   #proxy-input     the current session's upstream HTTP proxy
 *                    ([user:pass@]host:port, empty for none)
 *   #shuffle-toggle  checkbox: URL shuffling on/off for the current session
 *   #save-session    button: GET /editsession with #proxy-input and
 *                    #shuffle-toggle
 *   #delete-session  button: GET /deletesession for the current session
 *   #url-input       the URL to open
 *   #go              button: saves the settings, then navigates to
 *                    /<id>/<url>, the URL shuffled with /api/shuffleDict's
 *                    dictionary when the session has one
 *   #error           error message area
 *   #export-session  button: GET /api/exportsession for the current session;
 *                    downloads the signed blob as <id>.rhexport.json and
 *                    also puts its text in #export-output
 *   #export-output   read-only <textarea> holding the last exported blob
 *                    (shown once filled)
 *   #import-file     file input: a blob exported by this server or one
 *                    sharing its export secret
 *   #import-session  button: POST #import-file's content to
 *                    /api/importsession; the returned id is added to
 *                    #sessions and selected
 */
(function () {
    'use strict';

    var BASE_DICTIONARY = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz~-';
    var SHUFFLED_MARKER = '_rhs';
    var KEY_SESSIONS = 'rammerhead_sessionids';
    var KEY_DEFAULT = 'rammerhead_default_sessionid';
    var KEY_PASSWORD = 'rammerhead_password';

    function mod(n, m) {
        return ((n % m) + m) % m;
    }

    /**
     * The URL shuffler of the original Rammerhead, byte-identical to the Go
     * package urlshuffle: indexes count UTF-16 code units, a '%' with at
     * least two characters after it is copied together with them, characters
     * outside the base alphabet are copied.
     */
    function StrShuffler(dictionary) {
        this.dictionary = dictionary;
    }
    StrShuffler.prototype.shuffle = function (str) {
        if (str.indexOf(SHUFFLED_MARKER) === 0) return str;
        var out = '';
        for (var i = 0; i < str.length; i++) {
            var c = str.charAt(i);
            if (c === '%' && str.length - i >= 3) {
                out += c + str.charAt(i + 1) + str.charAt(i + 2);
                i += 2;
                continue;
            }
            var idx = BASE_DICTIONARY.indexOf(c);
            out += idx === -1 ? c : this.dictionary.charAt(mod(idx + i, BASE_DICTIONARY.length));
        }
        return SHUFFLED_MARKER + out;
    };
    StrShuffler.prototype.unshuffle = function (str) {
        if (str.indexOf(SHUFFLED_MARKER) !== 0) return str;
        str = str.slice(SHUFFLED_MARKER.length);
        var out = '';
        for (var i = 0; i < str.length; i++) {
            var c = str.charAt(i);
            if (c === '%' && str.length - i >= 3) {
                out += c + str.charAt(i + 1) + str.charAt(i + 2);
                i += 2;
                continue;
            }
            var idx = this.dictionary.indexOf(c);
            out += idx === -1 ? c : BASE_DICTIONARY.charAt(mod(idx - i, BASE_DICTIONARY.length));
        }
        return out;
    };
    window.StrShuffler = StrShuffler;

    function $(id) {
        return document.getElementById(id);
    }

    function setError(msg) {
        var el = $('error');
        if (!el) return;
        el.textContent = msg ? 'An error occurred: ' + msg : '';
        el.hidden = !msg;
    }

    function storageGet(key) {
        try {
            return window.localStorage.getItem(key);
        } catch (e) {
            return null;
        }
    }
    function storageSet(key, value) {
        try {
            if (value === null) window.localStorage.removeItem(key);
            else window.localStorage.setItem(key, value);
        } catch (e) {
            /* private mode: keep going without persistence */
        }
    }

    function password() {
        var el = $('password');
        return el ? el.value : '';
    }

    /** GET url (with pwd when set); resolves with the body of a 200. */
    function get(url) {
        var pwd = password();
        if (pwd) url += (url.indexOf('?') === -1 ? '?' : '&') + 'pwd=' + encodeURIComponent(pwd);
        return fetch(url, { credentials: 'same-origin', cache: 'no-store' }).then(
            function (res) {
                return res.text().then(function (body) {
                    if (res.status !== 200) {
                        throw new Error('the server answered ' + res.status + ': "' + body + '"');
                    }
                    return body;
                });
            },
            function () {
                throw new Error('cannot communicate with the server');
            }
        );
    }

    /** POST body to url (with pwd when set); resolves with the body of a 200. */
    function post(url, body) {
        var pwd = password();
        if (pwd) url += (url.indexOf('?') === -1 ? '?' : '&') + 'pwd=' + encodeURIComponent(pwd);
        return fetch(url, {
            method: 'POST',
            credentials: 'same-origin',
            cache: 'no-store',
            headers: { 'Content-Type': 'application/json' },
            body: body
        }).then(
            function (res) {
                return res.text().then(function (text) {
                    if (res.status !== 200) {
                        throw new Error('the server answered ' + res.status + ': "' + text + '"');
                    }
                    return text;
                });
            },
            function () {
                throw new Error('cannot communicate with the server');
            }
        );
    }

    var api = {
        needPassword: function () {
            return get('/needpassword').then(function (v) {
                return v === 'true';
            });
        },
        newSession: function () {
            return get('/newsession');
        },
        editSession: function (id, httpProxy, enableShuffling) {
            return get(
                '/editsession?id=' +
                    encodeURIComponent(id) +
                    (httpProxy ? '&httpProxy=' + encodeURIComponent(httpProxy) : '') +
                    '&enableShuffling=' +
                    (enableShuffling ? '1' : '0')
            ).then(function (res) {
                if (res !== 'Success') throw new Error('unexpected response from server: ' + res);
            });
        },
        sessionExists: function (id) {
            return get('/sessionexists?id=' + encodeURIComponent(id)).then(function (res) {
                if (res === 'exists') return true;
                if (res === 'not found') return false;
                throw new Error('unexpected response from server: ' + res);
            });
        },
        deleteSession: function (id) {
            return get('/deletesession?id=' + encodeURIComponent(id)).then(function (res) {
                if (res !== 'Success' && res !== 'not found') throw new Error('unexpected response from server: ' + res);
            });
        },
        exportSession: function (id) {
            return get('/api/exportsession?id=' + encodeURIComponent(id));
        },
        importSession: function (blob) {
            return post('/api/importsession', blob).then(function (id) {
                id = id.trim();
                if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error('unexpected response from server: ' + id);
                return id;
            });
        },
        shuffleDict: function (id) {
            return get('/api/shuffleDict?id=' + encodeURIComponent(id)).then(function (res) {
                return res ? JSON.parse(res) : null;
            });
        }
    };

    var sessions = {
        all: function () {
            var raw = storageGet(KEY_SESSIONS);
            if (!raw) return [];
            try {
                var data = JSON.parse(raw);
                return Array.isArray(data) ? data : [];
            } catch (e) {
                return [];
            }
        },
        save: function (list) {
            storageSet(KEY_SESSIONS, JSON.stringify(list));
        },
        find: function (id) {
            var list = sessions.all();
            for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
            return null;
        },
        add: function (id) {
            var list = sessions.all().filter(function (s) {
                return s.id !== id;
            });
            list.unshift({ id: id, createdOn: new Date().toLocaleString(), httpproxy: '', enableShuffling: true });
            sessions.save(list);
        },
        update: function (id, httpproxy, enableShuffling) {
            var list = sessions.all();
            var found = false;
            for (var i = 0; i < list.length; i++) {
                if (list[i].id === id) {
                    list[i].httpproxy = httpproxy;
                    list[i].enableShuffling = enableShuffling;
                    found = true;
                }
            }
            if (!found) list.unshift({ id: id, createdOn: new Date().toLocaleString(), httpproxy: httpproxy, enableShuffling: enableShuffling });
            sessions.save(list);
        },
        remove: function (id) {
            sessions.save(
                sessions.all().filter(function (s) {
                    return s.id !== id;
                })
            );
            if (storageGet(KEY_DEFAULT) === id) storageSet(KEY_DEFAULT, null);
        }
    };

    function select(s) {
        $('session-id').value = s ? s.id : '';
        $('proxy-input').value = (s && s.httpproxy) || '';
        $('shuffle-toggle').checked = s && typeof s.enableShuffling === 'boolean' ? s.enableShuffling : true;
        storageSet(KEY_DEFAULT, s ? s.id : null);
        render();
    }

    function render() {
        var ul = $('sessions');
        while (ul.firstChild) ul.removeChild(ul.firstChild);
        var current = $('session-id').value;
        sessions.all().forEach(function (s) {
            var li = document.createElement('li');
            li.setAttribute('data-id', s.id);
            if (s.id === current) li.className = 'current';
            var code = document.createElement('code');
            code.textContent = s.id;
            var created = document.createElement('span');
            created.className = 'created';
            created.textContent = s.createdOn || '';
            var use = document.createElement('button');
            use.type = 'button';
            use.className = 'use';
            use.textContent = 'Use';
            use.onclick = function () {
                setError();
                select(s);
            };
            var del = document.createElement('button');
            del.type = 'button';
            del.className = 'delete danger';
            del.textContent = 'Delete';
            del.onclick = function () {
                setError();
                removeSession(s.id);
            };
            li.appendChild(code);
            li.appendChild(created);
            li.appendChild(use);
            li.appendChild(del);
            ul.appendChild(li);
        });
    }

    function removeSession(id) {
        return api.deleteSession(id).then(function () {
            sessions.remove(id);
            if ($('session-id').value === id) select(null);
            else render();
        }, showError);
    }

    function showError(err) {
        setError(err && err.message ? err.message : String(err));
    }

    function currentId() {
        var id = $('session-id').value.trim();
        if (!id) throw new Error('create a session first');
        return id;
    }

    function saveSettings() {
        var id = currentId();
        var httpproxy = $('proxy-input').value.trim();
        var shuffle = $('shuffle-toggle').checked;
        return api.editSession(id, httpproxy, shuffle).then(function () {
            sessions.update(id, httpproxy, shuffle);
            render();
            return id;
        });
    }

    /** Offers text as a file download named name. */
    function download(name, text) {
        try {
            var url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
            var a = document.createElement('a');
            a.href = url;
            a.download = name;
            a.style.display = 'none';
            document.body.appendChild(a);
            a.click();
            document.body.removeChild(a);
            setTimeout(function () {
                URL.revokeObjectURL(url);
            }, 1000);
        } catch (e) {
            /* the text stays available in #export-output */
        }
    }

    function exportSession() {
        setError();
        var id;
        try {
            id = currentId();
        } catch (e) {
            return showError(e);
        }
        return api.exportSession(id).then(function (blob) {
            var out = $('export-output');
            out.value = blob;
            out.hidden = false;
            download(id + '.rhexport.json', blob);
        }, showError);
    }

    function importSession() {
        setError();
        var input = $('import-file');
        var file = input.files && input.files[0];
        if (!file) return showError(new Error('choose an exported session file first'));
        var reader = new FileReader();
        reader.onerror = function () {
            showError(new Error('cannot read ' + file.name));
        };
        reader.onload = function () {
            api.importSession(String(reader.result)).then(function (id) {
                sessions.add(id);
                select(sessions.find(id));
                input.value = '';
            }, showError);
        };
        reader.readAsText(file);
    }

    function go() {
        setError();
        var url = $('url-input').value.trim() || 'https://www.google.com/';
        if (!/^https?:\/\//i.test(url)) url = 'https://' + url;
        var id;
        try {
            id = currentId();
        } catch (e) {
            return showError(e);
        }
        api.sessionExists(id)
            .then(function (exists) {
                if (!exists) throw new Error('session does not exist. delete it or create a new session');
                return saveSettings();
            })
            .then(function () {
                return api.shuffleDict(id);
            })
            .then(function (dict) {
                var target = dict ? new StrShuffler(dict).shuffle(url) : url;
                window.location.href = '/' + id + '/' + target;
            })
            .catch(showError);
    }

    function init() {
        var pwdEl = $('password');
        pwdEl.value = storageGet(KEY_PASSWORD) || '';
        pwdEl.addEventListener('input', function () {
            storageSet(KEY_PASSWORD, pwdEl.value || null);
        });
        api.needPassword().then(function (need) {
            $('password-wrapper').hidden = !need;
        }, showError);

        var def = storageGet(KEY_DEFAULT);
        select(def ? sessions.find(def) : null);

        $('new-session').onclick = function () {
            setError();
            api.newSession().then(function (id) {
                id = id.trim();
                sessions.add(id);
                select(sessions.find(id));
            }, showError);
        };
        $('save-session').onclick = function () {
            setError();
            try {
                saveSettings().catch(showError);
            } catch (e) {
                showError(e);
            }
        };
        $('delete-session').onclick = function () {
            setError();
            var id;
            try {
                id = currentId();
            } catch (e) {
                return showError(e);
            }
            removeSession(id);
        };
        $('export-session').onclick = exportSession;
        $('import-session').onclick = importSession;
        $('go').onclick = go;
        $('url-input').addEventListener('keydown', function (e) {
            if (e.key === 'Enter') go();
        });
        $('session-id').addEventListener('change', function () {
            var id = $('session-id').value.trim();
            var s = sessions.find(id);
            if (s) select(s);
            else render();
        });
    }

    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
})();
