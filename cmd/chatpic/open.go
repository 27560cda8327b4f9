package main

import (
	"context"
	"log/slog"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/storage"
)

// openStorage opens the stores cfg names (storage.Open) and seeds the
// default channels on first start.
func openStorage(ctx context.Context, cfg config.Storage, e env, log *slog.Logger) (*storage.Set, error) {
	st, err := storage.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	seeded, err := st.DB.Seed(ctx, chatpic.DefaultChannels(), e.now())
	if err != nil {
		st.Close()
		return nil, err
	}
	if seeded {
		log.Info("seeded the default channels")
	}
	return st, nil
}
