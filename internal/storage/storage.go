// Package storage opens the two stores a chatpic site keeps its state in:
// the database (SQLite or PostgreSQL) and the blob store (a folder or an
// S3 bucket), as a Config names them. The server, every command and the
// tests open them through Open, so they all see the same thing.
package storage

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/blob/s3blob"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// Set is an opened database and blob store. The caller closes it.
type Set struct {
	DB    *sqlstore.Store
	Blobs blob.Store
	// S3 is the blob store when it is an S3 bucket (for presigned media
	// links), nil otherwise.
	S3 *s3blob.Store
}

// Open opens, creating them if needed, the data folder, the database and
// the blob store cfg names. It applies pending migrations unless
// cfg.SkipMigrations, in which case a database behind this binary is
// refused with an error that says how to migrate it. Nothing is seeded.
func Open(ctx context.Context, cfg config.Storage) (*Set, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	db, err := sqlstore.OpenWith(ctx, cfg.DB, sqlstore.Options{SkipMigrations: cfg.SkipMigrations})
	if err != nil {
		return nil, err
	}
	if cfg.SkipMigrations {
		pending, err := db.Pending(ctx)
		if err == nil && len(pending) > 0 {
			err = fmt.Errorf("the database lacks %d migration(s) (%s): run chatpic migrate, or start without --no-migrate",
				len(pending), strings.Join(pending, ", "))
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	s := &Set{DB: db}
	if cfg.S3 != nil {
		s.S3, err = s3blob.New(ctx, *cfg.S3)
		s.Blobs = s.S3
	} else {
		s.Blobs, err = diskblob.Open(cfg.Blobs)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("media store: %w", err)
	}
	return s, nil
}

// Close closes the blob store, if it holds anything to close, and the
// database.
func (s *Set) Close() error {
	if c, ok := s.Blobs.(io.Closer); ok {
		c.Close()
	}
	return s.DB.Close()
}
