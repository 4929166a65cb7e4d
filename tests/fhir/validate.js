// Validates FHIR R4 JSON resources with the `fhir` npm package (FHIR.js,
// which checks every element against the R4 structure definitions and
// value sets it ships): written by others than fgcat's authors, installed
// from npm by scripts/bootstrap (package-lock.json pins it).
//
// usage: node tests/fhir/validate.js FILE...   (FILE "-" is standard input)
// Each FILE holds one resource (a Bundle counts its entries).  Prints one
// line per file; any error or warning fails it, and the exit status is 1
// when any file failed, 2 when a file is not JSON or not a resource.
'use strict';
const fs = require('fs');
const path = require('path');
const { Fhir } = require(path.join(__dirname, '..', '..', 'node_modules', 'fhir'));

const fhir = new Fhir();
let status = 0;
for (const file of process.argv.slice(2)) {
  let resource;
  try {
    resource = JSON.parse(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (e) {
    console.log(`${file}: not JSON: ${e.message}`);
    status = Math.max(status, 2);
    continue;
  }
  if (!resource || typeof resource.resourceType !== 'string') {
    console.log(`${file}: not a FHIR resource (no resourceType)`);
    status = Math.max(status, 2);
    continue;
  }
  const result = fhir.validate(resource);
  // Errors and warnings (an unknown element, a wrong type, a missing
  // required element, a code outside a required value set) fail the file.
  // Two kinds of message do not: "info" (a value set FHIR.js does not ship,
  // e.g. currencies), and a code "not found in value set" at warning
  // severity, which FHIR.js reports only for bindings that are not
  // required (example or preferred: fgcat's own code systems for areas,
  // tags and delivery are conformant there; a required binding is an
  // error and fails).
  const bad = result.messages.filter((m) => m.severity !== 'info' &&
      !(m.severity === 'warning' && /^Code ".*" (\(\S*\) )?not found in value set$/.test(m.message)));
  const count = resource.resourceType === 'Bundle' ? (resource.entry || []).length : 1;
  if (result.valid && bad.length === 0) {
    console.log(`${file}: valid ${resource.resourceType} (${count} resource(s))`);
  } else {
    status = Math.max(status, 1);
    console.log(`${file}: INVALID ${resource.resourceType}: ${bad.length} problem(s)`);
    for (const m of bad) console.log(`  ${m.severity} ${m.location}: ${m.message}`);
  }
}
if (process.argv.length < 3) {
  console.log('usage: node tests/fhir/validate.js FILE...');
  status = 2;
}
process.exit(status);
