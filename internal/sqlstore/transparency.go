package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
)

// Transparency returns, for each calendar month (UTC) from since on that
// saw any moderation, the counts the public transparency page shows,
// newest month first. It reads counts and times only: no content, no
// identities.
func (s *Store) Transparency(ctx context.Context, since time.Time) ([]chatpic.Month, error) {
	months := map[string]*chatpic.Month{}
	month := func(ms int64) *chatpic.Month {
		key := time.UnixMilli(ms).UTC().Format("2006-01")
		m, ok := months[key]
		if !ok {
			m = &chatpic.Month{Month: key, Reports: map[chatpic.ReportReason]int{}, Removals: map[chatpic.ReportReason]int{}}
			months[key] = m
		}
		return m
	}
	from := since.UnixMilli()
	reviews := map[string][]time.Duration{}
	err := s.each(ctx, `SELECT reason, created_at, resolved_at FROM reports WHERE created_at >= ? OR resolved_at >= ?`,
		[]any{from, from}, func(scan func(...any) error) error {
			var reason chatpic.ReportReason
			var created int64
			var resolved sql.NullInt64
			if err := scan(&reason, &created, &resolved); err != nil {
				return err
			}
			if created >= from {
				month(created).Reports[reason]++
			}
			if resolved.Valid && resolved.Int64 >= from {
				m := month(resolved.Int64)
				reviews[m.Month] = append(reviews[m.Month], time.Duration(resolved.Int64-created)*time.Millisecond)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	removals, marks := []any{from}, []string{}
	for _, a := range chatpic.AuditActions() {
		if a.Removal() {
			removals, marks = append(removals, string(a)), append(marks, "?")
		}
	}
	err = s.each(ctx, `SELECT at, category FROM audit WHERE at >= ? AND action IN (`+strings.Join(marks, ", ")+`)`,
		removals, func(scan func(...any) error) error {
			var at int64
			var category chatpic.ReportReason
			if err := scan(&at, &category); err != nil {
				return err
			}
			if category == "" {
				category = chatpic.ReasonOther
			}
			month(at).Removals[category]++
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, `SELECT created_at, source FROM hash_bans WHERE created_at >= ?`,
		[]any{from}, func(scan func(...any) error) error {
			var at int64
			var source string
			if err := scan(&at, &source); err != nil {
				return err
			}
			if source == "import" {
				month(at).Imported++
			} else {
				month(at).HashBans++
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]chatpic.Month, 0, len(months))
	for key, m := range months {
		if d := reviews[key]; len(d) > 0 {
			slices.Sort(d)
			m.Reviewed = len(d)
			m.MedianReview = d[len(d)/2]
			if len(d)%2 == 0 {
				m.MedianReview = (d[len(d)/2-1] + d[len(d)/2]) / 2
			}
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b chatpic.Month) int {
		switch {
		case a.Month > b.Month:
			return -1
		case a.Month < b.Month:
			return 1
		}
		return 0
	})
	return out, nil
}

// each runs a query on the read pool and calls row for every row with a
// function that scans it.
func (s *Store) each(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return internal("query", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return internal("query", err)
		}
	}
	if err := rows.Err(); err != nil {
		return internal("query", err)
	}
	return nil
}
