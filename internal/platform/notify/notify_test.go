package notify_test

import (
	"context"
	"testing"
	"time"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/notify"
)

func TestNotificationsReachEachUserOnceAndAreMarkedRead(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		auths := auth.NewService(d, auth.DefaultSettings())
		var ids []string
		for _, email := range []string{"a@example.org", "b@example.org"} {
			u, err := auths.CreateUser(ctx, access.System("test"), auth.NewUser{Email: email})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		now := db.Now()
		if err := notify.Send(ctx, d, []string{ids[0], ids[0], "", ids[1]}, "k", "Premier", "/a", now); err != nil {
			t.Fatal(err)
		}
		if err := notify.Send(ctx, d, ids[:1], "k", "Second", "", now.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		list, unread, err := notify.List(ctx, d, ids[0], 10)
		if err != nil || len(list) != 2 || unread != 2 || list[0].Message != "Second" || list[1].Link != "/a" {
			t.Fatalf("a user's notifications, newest first, each once: %+v, %d unread, %v", list, unread, err)
		}
		if err := notify.MarkAllRead(ctx, d, ids[0], now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if list, unread, _ = notify.List(ctx, d, ids[0], 10); unread != 0 || list[0].Unread() {
			t.Errorf("marked read: %d unread", unread)
		}
		if _, unread, _ = notify.List(ctx, d, ids[1], 10); unread != 1 {
			t.Errorf("another user's notifications are untouched: %d unread", unread)
		}
	})
}
