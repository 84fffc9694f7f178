// Package match is the two-way job matching engine: for a person, the open
// offers within a radius ranked best first; for an offer, the candidates
// ranked the same way. It holds no database: the caller feeds it offers and
// candidates (Upsert…, Remove…) and asks it questions (OffersFor,
// CandidatesFor). The Engine is safe for concurrent use.
//
// # Score
//
// The score of a person and an offer is the same whichever side asks, out of
// 100, rounded to one decimal, and explained by short French reasons:
//
//	ROME fit (best over the person's target jobs)        50 / 35 / 20 / 0
//	  same fiche (K2204), same domaine professionnel (K22),
//	  same grand domaine (K), none
//	travel                                                        0 – 20
//	  20 × (1 − minutes / 60) by the person's fastest means, 0 from
//	  an hour on; halved beyond the person's mobility radius
//	requirements                                                  0 – 20
//	  permis B 5, vehicle 5 (full when not asked or held),
//	  qualifications 6 × share held, shifts 4 × share not excluded
//	availability                                                  0 – 10
//	  start 5 × (1 − days late / 60), hours 5 when the weekly
//	  duration is within the person's minimum–maximum (or unknown)
//
// Travel time is the great-circle distance times a detour factor of 1.3, at
// 50 km/h by car, 25 km/h by public transport plus 10 minutes to reach a stop
// and wait, 15 km/h by bike and 5 km/h on foot. A person whose means are
// unknown is assumed to take public transport. Dates left empty (start as
// soon as possible, available now) and dates already past count as today.
// Qualifications and shifts are compared without case or repeated spaces.
//
// The ROME fit weighs most, so that the searches below can prove early that
// no unseen offer or candidate can enter the top of the list.
//
// # Results
//
// A query returns the items within the radius (great-circle distance from
// geo.Distance, the person first; an item exactly on the radius is in)
// ordered by score descending, then distance ascending, then ID ascending,
// cut at the limit; total counts all of them. The Brute… methods compute the
// same answer by scanning every item; the tests and bench/matching.sh compare
// both on random data.
//
// # Index
//
// Points are also kept as unit vectors in space, where the straight-line
// (chord) distance stands for the great-circle one — it grows with it and
// obeys the triangle inequality — and costs no trigonometry.
//
//   - The total comes from a grid of cells 1/64° wide, row by row: running
//     counts give the cells wholly inside the circle at once, and only the
//     points of the cells on its edge are checked one by one.
//   - The ranking searches spherical quadtrees over latitude-longitude
//     cells: one per ROME fiche, domaine and grand domaine, and one of all
//     items. Cells and items wait in one queue by the best score they could
//     get — their tier's ROME points, the travel points at their smallest
//     possible distance, the other parts at their best for a cell or exact
//     for an item — and the search stops when that bound cannot beat the
//     k-th result found (branch and bound). Leaves keep the items' points in
//     float32 and their terms (what their score depends on) by value, so that
//     a search reads few cache lines.
//
// Every bound carries a margin far above rounding error (centimetres on the
// ground), and points within that margin of the radius are decided by
// geo.Distance itself, so the index gives exactly the brute force's answer.
package match
