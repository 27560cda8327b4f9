//go:build race

package express

// raceEnabled: the race detector allocates on its own account.
const raceEnabled = true
