// Security keys (WebAuthn): adding one on the second factor page, signing in with one after the password, and
// "Confirm it's you" with one.
// The server's options are JSON with bytes written in base64url; the browser's API takes and gives ArrayBuffers,
// so both ways are converted here. Without this script, or without WebAuthn, the pages work with the app's codes
// (the form to add a key stays hidden). The words come from the page, in its language.
"use strict";
(function () {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function bytes(text) {
    const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  }
  function base64url(buffer) {
    let raw = "";
    for (const b of new Uint8Array(buffer)) raw += String.fromCharCode(b);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function described(list) {
    return (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  }
  // the credential as the server reads it (the shape of PublicKeyCredential.toJSON, which not every browser has)
  function asJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: base64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = base64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = base64url(r.authenticatorData);
      response.signature = base64url(r.signature);
      if (r.userHandle) response.userHandle = base64url(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: base64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
    });
  }
  function post(url, body, headers) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  }

  // The key's answer to the server's challenge, written into the form's field; false (said in status) when the
  // browser or the key refused.
  async function signed(options, field, status) {
    status.textContent = status.dataset.waiting;
    try {
      const publicKey = {
        ...options,
        challenge: bytes(options.challenge),
        allowCredentials: described(options.allowCredentials),
      };
      field.value = asJSON(await navigator.credentials.get({ publicKey }));
      return true;
    } catch (e) {
      status.textContent = status.dataset.failed;
      return false;
    }
  }

  // Signing in: with no code typed, the password is checked first; an account with a key gets the challenge,
  // the key signs it, and the form is sent with the answer.
  const login = document.getElementById("login-form");
  if (login) {
    const status = document.getElementById("key-status");
    login.addEventListener("submit", async (event) => {
      if (login.elements.code.value.trim() || login.elements.assertion.value) return;
      event.preventDefault();
      const fields = login.elements;
      const response = await post("/api/login/key", { email: fields.email.value, password: fields.password.value });
      if (response.status === 401) {
        status.textContent = status.dataset.wrong;
        return;
      }
      const options = response.ok ? (await response.json()).options : null;
      if (options && !(await signed(options, fields.assertion, status))) return;
      login.submit(); // without a key (or refused for another reason), the server's own answer
    });
  }

  // "Confirm it's you" with a key: with no code typed, the key signs a challenge for the signed-in person.
  const confirm = document.getElementById("confirm-form");
  if (confirm && confirm.elements.assertion) {
    const status = document.getElementById("confirm-key-status");
    const csrf = document.querySelector("meta[name=csrf-token]").content;
    confirm.addEventListener("submit", async (event) => {
      if (confirm.elements.code.value.trim() || confirm.elements.assertion.value) return;
      event.preventDefault();
      const response = await post("/api/me/confirm/key", {}, { "X-CSRF-Token": csrf });
      const options = response.ok ? (await response.json()).options : null;
      if (options && !(await signed(options, confirm.elements.assertion, status))) return;
      confirm.submit();
    });
  }

  // Adding a key: the options from the server, the key made by the browser, the form sent with it.
  const add = document.getElementById("add-key");
  if (add) {
    const status = document.getElementById("add-key-status");
    const csrf = document.querySelector("meta[name=csrf-token]").content;
    add.hidden = false;
    add.addEventListener("submit", async (event) => {
      if (add.elements.credential.value) return;
      event.preventDefault();
      status.textContent = add.dataset.waiting;
      try {
        const response = await post("/api/me/security-keys/options", {}, { "X-CSRF-Token": csrf });
        if (!response.ok) throw new Error(String(response.status));
        const options = await response.json();
        const publicKey = {
          ...options,
          challenge: bytes(options.challenge),
          user: { ...options.user, id: bytes(options.user.id) },
          excludeCredentials: described(options.excludeCredentials),
        };
        add.elements.credential.value = asJSON(await navigator.credentials.create({ publicKey }));
      } catch (e) {
        status.textContent = add.dataset.failed;
        return;
      }
      add.submit();
    });
  }
})();
