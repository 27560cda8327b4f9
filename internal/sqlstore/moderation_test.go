package sqlstore

import "testing"

// moderationCases are the conformance cases for reports, the queue,
// moderators, the audit log and bans.
var moderationCases = []struct {
	name string
	fn   func(t *testing.T, s *Store)
}{}
