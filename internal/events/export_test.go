package events

import (
	"testing"
	"time"
)

// RunBrokerSuite runs the Broker suite of broker_test.go, for the tests of
// Shared in package events_test (which can reach a PostgreSQL store;
// sqlstore imports events, so this package's own tests cannot).
// exactBacklog is brokerTraits.exactBacklog.
func RunBrokerSuite(t *testing.T, newBroker func(t *testing.T, o Options) Broker, exactBacklog bool) {
	testBroker(t, newBroker, brokerTraits{exactBacklog: exactBacklog})
}

// SetPoll sets how often s reads the log unprompted. Call it before Run.
func SetPoll(s *Shared, d time.Duration) { s.poll = d }
