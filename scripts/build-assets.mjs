// Build the front-end assets into build/static (git-ignored): compile our Sass against
// govuk-frontend from node_modules and copy its JavaScript. Run by `make assets`.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(out, "infuse"), { recursive: true });
mkdirSync(join(out, "govuk"), { recursive: true });

const result = sass.compile(join(root, "frontend", "infuse.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "infuse", "infuse.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
// Images only: the GDS Transport fonts are not ours to use.
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });
console.log(`InFuSe assets built in ${out}`);
