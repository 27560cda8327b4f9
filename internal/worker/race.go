//go:build race

package worker

// raceEnabled: a race-detector build (tests only) takes several times the
// memory, so memory ceilings are widened there (see Pool.do).
const raceEnabled = true
