package queue

import (
	"context"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"rhetor/corpus"
)

// Requeue publishes the selected dead letters to the work queue, inside the
// duplicate window of their article ids, removes them from the dead-letter
// stream, and skips those it cannot requeue.
func TestRequeue(t *testing.T) {
	q, _ := testQueue(t, nil)
	ctx := context.Background()
	enq := NewEnqueuer(q, 0, 0)
	for _, id := range []string{"a", "b"} {
		if err := enq.Publish(ctx, corpus.Article{ID: id, Text: "Some text."}, "in.jsonl"); err != nil {
			t.Fatal(err)
		}
	}
	if err := enq.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// Both taken by a worker and dead-lettered (the work queue is empty).
	body := func(id string) []byte { b, _ := Encode(corpus.Article{ID: id, Text: "Some text."}); return b }
	publishDead := func(d DeadLetter) {
		t.Helper()
		if _, err := q.JS.PublishMsg(ctx, d.Msg(q.Config.DeadSubject, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Articles.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	publishDead(DeadLetter{Reason: "store refused the article: boom", Subject: q.Config.Subject, Sequence: 1, ArticleID: "a", Body: body("a")})
	publishDead(DeadLetter{Reason: "analysis: unknown language", Subject: q.Config.Subject, Sequence: 2, ArticleID: "b", Body: body("b")})
	publishDead(DeadLetter{Reason: "invalid JSON: unexpected end", Source: "in.jsonl:3"})
	cut := DeadLetter{Reason: "store refused the article: too big", Subject: q.Config.Subject, Sequence: 4, ArticleID: "c", Body: body("c")}
	m := cut.Msg(q.Config.DeadSubject, 0)
	m.Header.Set(HeaderTruncated, "2000000")
	if _, err := q.JS.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}

	// Re-enqueueing "a" (another run) is dropped by the duplicate window...
	again := NewEnqueuer(q, 0, 0)
	if err := again.Publish(ctx, corpus.Article{ID: "a", Text: "Some text."}, "in.jsonl"); err != nil {
		t.Fatal(err)
	}
	if err := again.Flush(ctx); err != nil || again.Summary().Duplicates != 1 {
		t.Fatalf("re-enqueue: %+v, %v", again.Summary(), err)
	}
	// ...requeueing its dead letter is not. A dry run changes nothing.
	var got []RequeueResult
	each := func(r RequeueResult) { got = append(got, r) }
	n, err := Requeue(ctx, q, RequeueFilter{Reason: "STORE REFUSED"}, RequeueOptions{DryRun: true, Each: each})
	if err != nil || n != 1 || len(got) != 2 || got[0].ArticleID != "a" || got[1].Skipped == "" {
		t.Fatalf("dry run: %d, %v, %+v", n, err, got)
	}
	if info, _ := q.Articles.Info(ctx); info.State.Msgs != 0 {
		t.Fatalf("a dry run published %d messages", info.State.Msgs)
	}
	got = nil
	n, err = Requeue(ctx, q, RequeueFilter{Reason: "store refused"}, RequeueOptions{Each: each})
	if err != nil || n != 1 {
		t.Fatalf("requeue: %d, %v", n, err)
	}
	if !strings.Contains(got[1].Skipped, "cut to fit") || got[1].ArticleID != "c" {
		t.Errorf("truncated dead letter: %+v", got[1])
	}
	info, err := q.Articles.Info(ctx)
	if err != nil || info.State.Msgs != 1 {
		t.Fatalf("work queue holds %d messages (%v), want the requeued one", info.State.Msgs, err)
	}
	rm, err := q.Articles.GetMsg(ctx, info.State.LastSeq)
	if err != nil {
		t.Fatal(err)
	}
	if string(rm.Data) != string(body("a")) || rm.Header.Get(nats.MsgIdHdr) != "requeue:"+q.Config.DeadStream+":1" ||
		!strings.Contains(rm.Header.Get(HeaderRequeued), "store refused the article: boom") {
		t.Errorf("requeued message %q, headers %v", rm.Data, rm.Header)
	}
	st, err := Collect(ctx, q, 10)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dead != 3 {
		t.Errorf("%d dead letters left, want 3 (the requeued one removed)", st.Dead)
	}
	// By id, kept: the dead letter of "b" stays; the one without a body
	// is skipped.
	got = nil
	n, err = Requeue(ctx, q, RequeueFilter{IDs: []string{"b"}}, RequeueOptions{Keep: true, Each: each})
	if err != nil || n != 1 || len(got) != 1 || got[0].ArticleID != "b" {
		t.Fatalf("requeue by id: %d, %v, %+v", n, err, got)
	}
	// Requeued again within the window: dropped, reported as such.
	got = nil
	if _, err := Requeue(ctx, q, RequeueFilter{IDs: []string{"b"}}, RequeueOptions{Each: each}); err != nil || !got[0].Duplicate {
		t.Errorf("second requeue: %v, %+v", err, got)
	}
	got = nil
	if n, err := Requeue(ctx, q, RequeueFilter{}, RequeueOptions{Each: each}); err != nil || n != 0 || len(got) != 2 {
		t.Errorf("requeue all of what is left: %d, %v, %+v", n, err, got)
	}
	if !strings.Contains(got[0].Skipped, "no message body") {
		t.Errorf("dead letter without a body: %+v", got[0])
	}
}
