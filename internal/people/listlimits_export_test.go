package people

// SetListLimits lowers, for one test, the most rows a list may hold, the
// errors and conflicts a report lists and the rejected rows it keeps in
// memory; a value of 0 leaves a limit as it is. The test must not run in
// parallel, and calls the function returned to put the limits back.
func SetListLimits(rows, listed, kept int) (restore func()) {
	was := [3]int{maxListRows, maxListedErrors, maxKeptRejected}
	set := func(v *int, n int) {
		if n > 0 {
			*v = n
		}
	}
	set(&maxListRows, rows)
	set(&maxListedErrors, listed)
	set(&maxKeptRejected, kept)
	return func() { maxListRows, maxListedErrors, maxKeptRejected = was[0], was[1], was[2] }
}
