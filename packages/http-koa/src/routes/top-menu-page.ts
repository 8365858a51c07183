/**
 * The top-menu page's script (AppAPI's embedded page is `<div id="content">` and its scripts, §8).
 * It shows the admin what the ExApp knows, without a shell: Keycloak's state and version, the
 * issuer consumers must use, the last full sync and reconcile pass (when, how long, counts, the
 * failures and why), the consumers and the clients each may get tokens for, and two buttons, a
 * full sync and a verification pass (`/api/sync-all?async=1[&verify=1]`, then its job polled);
 * below, Keycloak's admin console in a frame. It reads `/api/status` through the same proxy that
 * served the script (a signed-in admin's session; the API checks the admin itself), and builds
 * every element with textContent, so nothing from the answer is parsed as HTML.
 */
export function topMenuPageScript(appId: string, consoleUrl: string | undefined): string {
  return `(function () {
  'use strict';
  var configured = ${JSON.stringify(consoleUrl ?? null)};
  var consoleUrl = configured || (window.location.origin + '/exapps/' + ${JSON.stringify(appId)} + '/admin/master/console/');
  var content = document.getElementById('content');
  if (!content) { window.location.href = consoleUrl; return; }
  var self = document.currentScript && document.currentScript.src;
  var api = self
    ? self.replace(/js\\/keycloak-admin\\.js(?:[?#].*)?$/, '') + 'api/'
    : window.location.origin + '/index.php/apps/app_api/proxy/' + ${JSON.stringify(appId)} + '/api/';

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  function headers(json) {
    var h = { accept: 'application/json' };
    if (json) h['content-type'] = 'application/json';
    if (window.OC && window.OC.requestToken) h.requesttoken = window.OC.requestToken;
    return h;
  }
  function call(method, path) {
    return fetch(api + path, {
      method: method,
      credentials: 'same-origin',
      headers: headers(method !== 'GET'),
      body: method === 'GET' ? undefined : '{}',
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) throw new Error((body && body.error) || ('HTTP ' + res.status));
        return body;
      });
    });
  }
  function when(iso) {
    var d = new Date(iso);
    return d.toLocaleString() + ' (' + iso + ')';
  }
  function counts(pass) {
    return Object.keys(pass.counts).map(function (k) { return k + ' ' + pass.counts[k]; }).join(', ') +
      ', failed ' + pass.failed_users;
  }
  function passView(id, title, pass) {
    var box = el('div', { id: id, 'class': 'keycloak-pass' }, [el('h3', {}, [title])]);
    if (!pass) { box.appendChild(el('p', {}, ['No pass since the ExApp started.'])); return box; }
    box.appendChild(el('p', { 'class': 'keycloak-pass-when' }, [
      when(pass.started_at) + ' · ' + (pass.duration_ms / 1000).toFixed(1) + ' s · ' + pass.trigger +
        (pass.pass ? ' · ' + pass.pass : ''),
    ]));
    if (pass.outcome === 'failed') {
      box.appendChild(el('p', { 'class': 'keycloak-pass-error' }, [
        'Failed: ' + pass.error.code + ': ' + pass.error.message,
      ]));
      return box;
    }
    box.appendChild(el('p', { 'class': 'keycloak-pass-counts' }, [counts(pass)]));
    if (pass.failures.length > 0) {
      box.appendChild(el('ul', { 'class': 'keycloak-pass-failures' }, pass.failures.map(function (f) {
        return el('li', {}, [f.user_id + ': ' + f.reason + ' (' + f.code + ')']);
      })));
    }
    return box;
  }

  var panel = el('section', { id: 'keycloak-status', 'aria-live': 'polite' }, [el('h2', {}, ['Keycloak'])]);
  var body = el('div', { id: 'keycloak-status-body' }, [el('p', {}, ['Loading…'])]);
  var message = el('p', { id: 'keycloak-sync-message', role: 'status' }, []);
  var fullButton = el('button', { id: 'keycloak-sync-full', type: 'button' }, ['Full sync']);
  var verifyButton = el('button', { id: 'keycloak-sync-verify', type: 'button' }, ['Verify against Keycloak']);
  panel.appendChild(body);
  panel.appendChild(el('p', {}, [fullButton, ' ', verifyButton]));
  panel.appendChild(message);
  panel.style.cssText = 'padding:16px 24px';
  content.appendChild(panel);

  function render(status) {
    var kc = status.keycloak;
    var rows = [
      ['Keycloak', 'keycloak-state', kc.state + (kc.healthy ? '' : ' (unhealthy: ' + kc.reason + ')')],
      ['Version', 'keycloak-version', kc.version || 'external (not read)'],
      ['Realm', 'keycloak-realm', status.realm],
      ['Issuer for consumers', 'keycloak-issuer', status.issuer],
    ];
    var list = el('dl', {}, []);
    rows.forEach(function (r) {
      list.appendChild(el('dt', {}, [r[0]]));
      list.appendChild(el('dd', { id: r[1] }, [r[2]]));
    });
    var consumers = el('table', { id: 'keycloak-consumers' }, [
      el('thead', {}, [el('tr', {}, [el('th', {}, ['Consumer']), el('th', {}, ['Allowed clients']), el('th', {}, ['May'])])]),
      el('tbody', {}, status.consumers.map(function (c) {
        return el('tr', {}, [el('td', {}, [c.name]), el('td', {}, [c.client_ids.join(', ')]), el('td', {}, [c.operations.join(', ')])]);
      })),
    ]);
    body.replaceChildren(
      list,
      passView('keycloak-last-full-sync', 'Last full sync', status.sync.full),
      passView('keycloak-last-reconcile', 'Last reconcile pass', status.sync.cheap),
      el('h3', {}, ['Consumers']),
      consumers,
      el('p', { id: 'keycloak-user-token-clients' }, [
        'Clients a signed-in user may get tokens for: ' + (status.user_token_clients.join(', ') || 'none'),
      ]),
    );
  }
  function load() {
    return call('GET', 'status').then(render, function (error) {
      body.replaceChildren(el('p', { 'class': 'keycloak-error' }, ['Status unavailable: ' + error.message]));
    });
  }
  function poll(id) {
    return call('GET', 'sync-all/jobs/' + encodeURIComponent(id)).then(function (job) {
      if (job.status === 'running') return new Promise(function (ok) { setTimeout(ok, 1000); }).then(function () { return poll(id); });
      return job;
    });
  }
  function sync(verify) {
    fullButton.disabled = verifyButton.disabled = true;
    message.textContent = verify ? 'Verifying against Keycloak…' : 'Syncing every user…';
    return call('POST', 'sync-all?async=1' + (verify ? '&verify=1' : ''))
      .then(function (started) { return poll(started.job_id); })
      .then(function (job) {
        message.textContent = job.status === 'done'
          ? (verify ? 'Verification' : 'Full sync') + ' done: ' + job.report.failed.length + ' failed.'
          : 'Failed: ' + (job.error ? job.error.message : 'unknown error');
      }, function (error) { message.textContent = 'Could not sync: ' + error.message; })
      .then(load)
      .then(function () { fullButton.disabled = verifyButton.disabled = false; });
  }
  fullButton.addEventListener('click', function () { sync(false); });
  verifyButton.addEventListener('click', function () { sync(true); });
  load();

  var frame = document.createElement('iframe');
  frame.src = consoleUrl;
  frame.title = 'Keycloak';
  frame.id = 'keycloak-admin-console';
  frame.style.cssText = 'border:0;width:100%;height:100vh';
  content.appendChild(frame);
})();
`;
}
