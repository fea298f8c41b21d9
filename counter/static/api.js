// The counter page's calls to /api/v1 with the login session: JSON in, JSON or a refusal out.

export class Refusal extends Error {
  // A 4xx from the API: {"error": {"code", "message"}}; nothing changed on the server.
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class Unreachable extends Error {}

export function makeApi(base, csrfUrl) {
  const csrf = document.querySelector('meta[name="csrf-token"]');

  async function freshToken() {
    try {
      const response = await fetch(csrfUrl, {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (!response.ok) return false;
      csrf.content = (await response.json()).token;
      return true;
    } catch (e) {
      return false;
    }
  }

  async function send(method, path, body) {
    const options = {
      method,
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrf.content, Accept: "application/json"},
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    try {
      return await fetch(base + path, options);
    } catch (e) {
      throw new Unreachable(String(e));
    }
  }

  async function refusal(response) {
    let error = {code: "error", message: response.statusText || String(response.status)};
    try {
      error = (await response.json()).error || error;
    } catch (e) { /* not JSON: a proxy's page; the status says enough */ }
    return new Refusal(response.status, error.code, error.message);
  }

  // Send and return the JSON body, or null for 204; a 4xx/5xx throws a Refusal.
  async function request(method, path, body) {
    let response = await send(method, path, body);
    // The page's CSRF token expires during a long shift: fetch a new one and try once more.
    if (response.status === 403) {
      const problem = await refusal(response.clone());
      if (/CSRF/i.test(problem.message) && await freshToken()) response = await send(method, path, body);
    }
    if (response.status === 204) return null;
    if (!response.ok) throw await refusal(response);
    return response.json();
  }

  return {
    get: (path) => request("GET", path),
    post: (path, body) => request("POST", path, body),
    put: (path, body) => request("PUT", path, body),
    delete: (path) => request("DELETE", path),
  };
}
