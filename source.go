package chatpic

import "errors"

// Where an internal error came from, for counting failures by source:
// sqlstore marks its errors with ErrDatabase, the use-cases mark what the
// blob store returns with ErrMediaStore, and errors.Is finds the mark.
var (
	ErrDatabase   = errors.New("the database failed")
	ErrMediaStore = errors.New("the media store failed")
)

// Source returns err marked as having come from source (ErrDatabase or
// ErrMediaStore), with the same message; nil for a nil err.
func Source(err, source error) error {
	if err == nil {
		return nil
	}
	return &sourced{err: err, source: source}
}

type sourced struct{ err, source error }

func (s *sourced) Error() string   { return s.err.Error() }
func (s *sourced) Unwrap() []error { return []error{s.err, s.source} }

// ErrorSource names where err came from: "database", "media_store", or
// "other" when it carries neither mark.
func ErrorSource(err error) string {
	switch {
	case errors.Is(err, ErrDatabase):
		return "database"
	case errors.Is(err, ErrMediaStore):
		return "media_store"
	}
	return "other"
}
