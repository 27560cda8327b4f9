package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/blob/s3blob"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// storage is the opened database and blob store.
type storage struct {
	db    *sqlstore.Store
	blobs blob.Store
	// s3 is the blob store when it is S3, for presigned media links.
	s3 *s3blob.Store
}

func (s storage) Close() error {
	if c, ok := s.blobs.(io.Closer); ok {
		c.Close()
	}
	return s.db.Close()
}

// openStorage opens (creating if needed) the database and the blob store,
// applies migrations unless told not to (then refusing a database that is
// behind), and seeds the default channels on first start.
func openStorage(ctx context.Context, cfg config.Storage, e env, log *slog.Logger) (storage, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return storage{}, fmt.Errorf("data folder: %w", err)
	}
	db, err := sqlstore.OpenWith(ctx, cfg.DB, sqlstore.Options{SkipMigrations: cfg.SkipMigrations})
	if err != nil {
		return storage{}, err
	}
	if cfg.SkipMigrations {
		pending, err := db.Pending(ctx)
		if err == nil && len(pending) > 0 {
			err = fmt.Errorf("the database lacks %d migration(s) (%s): run chatpic migrate, or start without --no-migrate",
				len(pending), strings.Join(pending, ", "))
		}
		if err != nil {
			db.Close()
			return storage{}, err
		}
	}
	seeded, err := db.Seed(ctx, chatpic.DefaultChannels(), e.now())
	if err != nil {
		db.Close()
		return storage{}, err
	}
	if seeded {
		log.Info("seeded the default channels")
	}
	st := storage{db: db}
	if cfg.S3 != nil {
		st.s3, err = s3blob.New(ctx, *cfg.S3)
		st.blobs = st.s3
	} else {
		st.blobs, err = diskblob.Open(cfg.Blobs)
	}
	if err != nil {
		db.Close()
		return storage{}, fmt.Errorf("media store: %w", err)
	}
	return st, nil
}
