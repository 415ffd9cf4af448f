// End-to-end checks through the HTTP API, as the browser uses it: log in, list, search.
// E2E_BASE_URL says where the system runs (default: the production port on this host).
const base = process.env.E2E_BASE_URL ?? "http://localhost:8000";
const user = process.env.E2E_USER ?? "admin";
const password = process.env.E2E_PASSWORD ?? "admin123";
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    console.log(`✓ ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`✗ ${name}: ${error.message}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

let token = "";
await check("login", async () => {
  const response = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    body: new URLSearchParams({ username: user, password }),
  });
  expect(response.status === 200, `status ${response.status}`);
  token = (await response.json()).access_token;
  expect(token.split(".").length === 3, "no JWT in the answer");
});
const auth = { headers: { Authorization: `Bearer ${token}` } };
await check("employee list", async () => {
  const response = await fetch(`${base}/api/employees`, auth);
  expect(response.status === 200, `status ${response.status}`);
  expect(Array.isArray(await response.json()), "not a list");
});
await check("search", async () => {
  const response = await fetch(`${base}/api/employees?search=a`, auth);
  expect(response.status === 200, `status ${response.status}`);
});
await check("unauthenticated is refused", async () => {
  const response = await fetch(`${base}/api/employees`);
  expect(response.status === 401, `status ${response.status}`);
});
console.log(failed ? `${failed} e2e check(s) failed` : "all e2e checks passed");
process.exit(failed ? 1 : 0);
