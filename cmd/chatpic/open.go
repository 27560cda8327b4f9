package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// storage is the opened database and blob store.
type storage struct {
	db    *sqlstore.Store
	blobs *diskblob.Store
}

func (s storage) Close() error {
	s.blobs.Close()
	return s.db.Close()
}

// openStorage opens (creating if needed) the database and the blob store,
// applies migrations and seeds the default channels on first start.
func openStorage(ctx context.Context, cfg config.Storage, e env, log *slog.Logger) (storage, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return storage{}, fmt.Errorf("data folder: %w", err)
	}
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return storage{}, err
	}
	seeded, err := db.Seed(ctx, chatpic.DefaultChannels(), e.now())
	if err != nil {
		db.Close()
		return storage{}, err
	}
	if seeded {
		log.Info("seeded the default channels")
	}
	blobs, err := diskblob.Open(cfg.Blobs)
	if err != nil {
		db.Close()
		return storage{}, err
	}
	return storage{db: db, blobs: blobs}, nil
}
