// The kiosk's calls to /api/v1, with its device token: JSON in, the JSON answer or a refusal out.

export class Refusal extends Error {
  // A 4xx (or 5xx) answer: {"error": {"code", "message", "fields"?, ...}}; nothing was issued.
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.error = error;
  }
}

export class Unreachable extends Error {}

export function makeApi(base, token, method = "POST") {
  return async function post(path, body) {
    let response;
    try {
      response = await fetch(base + path, {
        method,
        cache: "no-store",
        credentials: "omit", // the bearer token says who we are; no cookie rides along
        headers: {Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json"},
        body: method === "GET" ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new Unreachable(String(e));
    }
    let answer = null;
    try {
      answer = await response.json();
    } catch (e) { /* not JSON: a proxy's error page; the status says enough */ }
    if (!response.ok) {
      throw new Refusal(response.status, answer?.error || {code: "error", message: response.statusText || String(response.status)});
    }
    return answer;
  };
}
