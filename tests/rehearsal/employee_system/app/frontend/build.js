// The frontend's build: the page with its version stamped in, into build/.
const fs = require("fs");
const { version } = require("./package.json");
const page = fs.readFileSync("src/index.html", "utf8").replaceAll("%VERSION%", version);
fs.mkdirSync("build", { recursive: true });
fs.writeFileSync("build/index.html", page);
console.log(`built build/index.html (v${version}, ${page.length} bytes)`);
