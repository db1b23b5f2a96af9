// Package queue spreads article analysis over many machines through a NATS
// JetStream work queue. Producers publish articles to a work-queue stream
// (deduplicated by article id); workers pull them from one durable consumer,
// analyse them, store the results idempotently and acknowledge each message
// only after the store committed it, so that a worker may stop or die at any
// moment without losing or duplicating an article. Messages that can never be
// processed (invalid JSON, text over the size limit, repeated failures) are
// moved to a dead-letter stream with the reason, so they never block the
// queue. Workers announce themselves in a key-value bucket with a TTL, which
// is how `rhetor status` counts the live ones.
//
// Everything used here works on nats-server 2.9 and later.
package queue

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Default names and limits; docs/deploy.md documents them.
const (
	DefaultStream      = "RHETOR_ARTICLES"
	DefaultSubject     = "rhetor.articles"
	DefaultConsumer    = "rhetor-workers"
	DefaultDeadStream  = "RHETOR_DEAD"
	DefaultDeadSubject = "rhetor.dead"
	DefaultBucket      = "rhetor_workers"

	// DefaultMaxBytes bounds the article stream's storage; publishing into
	// a full stream fails (DiscardNew) rather than dropping queued work.
	DefaultMaxBytes = 4 << 30
	// DefaultMaxMsgSize is the largest message the streams accept: NATS's
	// default max_payload.
	DefaultMaxMsgSize = 1 << 20
	// DefaultMaxText is the largest article text (in bytes) a worker
	// analyses; longer ones are dead-lettered.
	DefaultMaxText = 512 << 10
	// DefaultDuplicates is the window in which a re-published article id is
	// dropped by the stream.
	DefaultDuplicates = 10 * time.Minute
	// DefaultAckWait is how long a delivered message may stay unacknowledged
	// before JetStream redelivers it to another worker.
	DefaultAckWait = 60 * time.Second
	// DefaultMaxDeliver is how many times a message is delivered at most.
	DefaultMaxDeliver = 5
	// DefaultMaxAckPending bounds the messages delivered but not yet
	// acknowledged, over all workers (a worker holds the batch it hands
	// out, those its analysers are in, and up to four analysed batches
	// waiting for or in a store transaction: with 2 analysers, at most 7
	// batches, 448 messages at the default batch size).
	DefaultMaxAckPending = 20000
	// DefaultDeadMaxAge and DefaultDeadMaxBytes bound the dead-letter stream.
	DefaultDeadMaxAge   = 30 * 24 * time.Hour
	DefaultDeadMaxBytes = 1 << 30
	// DefaultHeartbeatTTL is how long a worker's heartbeat lives in the
	// workers bucket; workers refresh it every TTL/6.
	DefaultHeartbeatTTL = 30 * time.Second
)

// Config names the streams, consumer and bucket, and holds the limits they
// are created with. Existing streams and consumers are used as they are.
type Config struct {
	Stream, Subject         string
	Consumer                string
	DeadStream, DeadSubject string
	Bucket                  string

	MaxBytes      int64 // article stream's MaxBytes, when it is created
	DeadMaxBytes  int64 // dead-letter stream's MaxBytes, when it is created
	MaxMsgSize    int
	Duplicates    time.Duration
	AckWait       time.Duration
	MaxDeliver    int
	MaxAckPending int
	HeartbeatTTL  time.Duration

	// UpdateConsumer makes Setup write AckWait and MaxDeliver to an
	// existing consumer; without it an existing consumer is used as it is.
	UpdateConsumer bool
}

// DefaultConfig returns the documented names and limits.
func DefaultConfig() Config {
	return Config{
		Stream: DefaultStream, Subject: DefaultSubject, Consumer: DefaultConsumer,
		DeadStream: DefaultDeadStream, DeadSubject: DefaultDeadSubject, Bucket: DefaultBucket,
		MaxBytes: DefaultMaxBytes, DeadMaxBytes: DefaultDeadMaxBytes, MaxMsgSize: DefaultMaxMsgSize, Duplicates: DefaultDuplicates,
		AckWait: DefaultAckWait, MaxDeliver: DefaultMaxDeliver, MaxAckPending: DefaultMaxAckPending,
		HeartbeatTTL: DefaultHeartbeatTTL,
	}
}

// RegisterFlags adds flags for the names and the consumer's settings to fs,
// with c's values as defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Stream, "stream", c.Stream, "JetStream work-queue stream `NAME`")
	fs.StringVar(&c.Subject, "subject", c.Subject, "`SUBJECT` articles are published to")
	fs.StringVar(&c.Consumer, "consumer", c.Consumer, "durable pull consumer `NAME` shared by the workers")
	fs.StringVar(&c.DeadStream, "dead-stream", c.DeadStream, "dead-letter stream `NAME`")
	fs.StringVar(&c.DeadSubject, "dead-subject", c.DeadSubject, "dead-letter `SUBJECT`")
	fs.StringVar(&c.Bucket, "workers-bucket", c.Bucket, "key-value `BUCKET` of worker heartbeats")
	fs.Int64Var(&c.MaxBytes, "max-bytes", c.MaxBytes, "article stream's storage limit in `BYTES`, reserved on the NATS server, -1 for none (when the stream is created)")
	fs.Int64Var(&c.DeadMaxBytes, "dead-max-bytes", c.DeadMaxBytes, "dead-letter stream's storage limit in `BYTES`, reserved on the NATS server, -1 for none (when the stream is created)")
	fs.DurationVar(&c.AckWait, "ack-wait", c.AckWait, "redeliver a message not acknowledged within this time (when the consumer is created, or with --update-consumer)")
	fs.IntVar(&c.MaxDeliver, "max-deliver", c.MaxDeliver, "deliveries of a message at most, then it is dead-lettered (when the consumer is created, or with --update-consumer)")
	fs.BoolVar(&c.UpdateConsumer, "update-consumer", false, "write --ack-wait and --max-deliver to the existing consumer (without it an existing consumer is used as it is)")
}

// Validate reports a setting that cannot work.
func (c Config) Validate() error {
	for _, f := range []struct{ flag, v string }{
		{"stream", c.Stream}, {"subject", c.Subject}, {"consumer", c.Consumer},
		{"dead-stream", c.DeadStream}, {"dead-subject", c.DeadSubject}, {"workers-bucket", c.Bucket},
	} {
		if f.v == "" {
			return fmt.Errorf("--%s must not be empty", f.flag)
		}
	}
	if c.Subject == c.DeadSubject {
		return errors.New("--subject and --dead-subject must differ")
	}
	if c.MaxBytes != -1 && c.MaxBytes < int64(c.MaxMsgSize) {
		return fmt.Errorf("--max-bytes must be -1 (no limit) or at least the largest message, %d bytes", c.MaxMsgSize)
	}
	if c.DeadMaxBytes != -1 && c.DeadMaxBytes < int64(c.MaxMsgSize) {
		return fmt.Errorf("--dead-max-bytes must be -1 (no limit) or at least the largest message, %d bytes", c.MaxMsgSize)
	}
	if c.AckWait < time.Second {
		return errors.New("--ack-wait must be at least 1s")
	}
	if c.MaxDeliver < 2 {
		return errors.New("--max-deliver must be at least 2")
	}
	return nil
}

// Queue is an opened work queue: its streams, consumer and workers bucket.
type Queue struct {
	JS       jetstream.JetStream
	Config   Config
	Articles jetstream.Stream
	Dead     jetstream.Stream
	Consumer jetstream.Consumer
	Workers  jetstream.KeyValue
}

// Setup opens the queue described by c, creating the streams, the consumer
// and the workers bucket where they are missing. Existing ones are used as
// configured (so an operator's changes to limits stand), after checking that
// the article stream is a work queue on c.Subject.
func Setup(ctx context.Context, js jetstream.JetStream, c Config) (*Queue, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	q := &Queue{JS: js, Config: c}
	var err error
	q.Articles, err = ensureStream(ctx, js, jetstream.StreamConfig{
		Name:        c.Stream,
		Description: "rhetor: articles waiting for analysis",
		Subjects:    []string{c.Subject},
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Discard:     jetstream.DiscardNew,
		MaxBytes:    c.MaxBytes,
		MaxMsgSize:  int32(c.MaxMsgSize),
		Duplicates:  c.Duplicates,
		MaxMsgs:     -1,
		MaxAge:      0,
		Replicas:    1,
	})
	if err != nil {
		return nil, err
	}
	q.Dead, err = ensureStream(ctx, js, jetstream.StreamConfig{
		Name:        c.DeadStream,
		Description: "rhetor: messages that could not be analysed, with the reason in headers",
		Subjects:    []string{c.DeadSubject},
		Retention:   jetstream.LimitsPolicy,
		Storage:     jetstream.FileStorage,
		Discard:     jetstream.DiscardOld,
		MaxBytes:    c.DeadMaxBytes,
		MaxAge:      DefaultDeadMaxAge,
		MaxMsgSize:  int32(c.MaxMsgSize),
		MaxMsgs:     -1,
		Replicas:    1,
	})
	if err != nil {
		return nil, err
	}
	if q.Consumer, err = ensureConsumer(ctx, js, c); err != nil {
		return nil, err
	}
	if q.Workers, err = ensureBucket(ctx, js, c); err != nil {
		return nil, err
	}
	return q, nil
}

// Lookup opens an existing queue without creating anything; parts that do
// not exist are left nil.
func Lookup(ctx context.Context, js jetstream.JetStream, c Config) (*Queue, error) {
	q := &Queue{JS: js, Config: c}
	var err error
	if q.Articles, err = js.Stream(ctx, c.Stream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("stream %s: %w", c.Stream, err)
	}
	if q.Dead, err = js.Stream(ctx, c.DeadStream); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("stream %s: %w", c.DeadStream, err)
	}
	if q.Articles != nil {
		if q.Consumer, err = js.Consumer(ctx, c.Stream, c.Consumer); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, fmt.Errorf("consumer %s: %w", c.Consumer, err)
		}
	}
	if q.Workers, err = js.KeyValue(ctx, c.Bucket); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, fmt.Errorf("key-value bucket %s: %w", c.Bucket, err)
	}
	return q, nil
}

// Delete removes the queue described by c: its streams (the consumer with
// them) and workers bucket, ignoring errors. It is for throw-away queues
// (benchmarks, tests).
func Delete(ctx context.Context, js jetstream.JetStream, c Config) {
	_ = js.DeleteStream(ctx, c.Stream)
	_ = js.DeleteStream(ctx, c.DeadStream)
	_ = js.DeleteKeyValue(ctx, c.Bucket)
}

func consumerConfig(c Config) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:       c.Consumer,
		Description:   "rhetor workers",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       c.AckWait,
		MaxDeliver:    c.MaxDeliver,
		MaxAckPending: c.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: c.Subject,
		MaxWaiting:    512,
	}
}

// errCodeStorageExceeded is JetStream's "insufficient storage resources
// available": the stream's MaxBytes does not fit the server's reservation.
const errCodeStorageExceeded jetstream.ErrorCode = 10047

// ensureStream opens the stream of want's name, creating it only when it
// does not exist; either way it must have want's retention and first
// subject. It looks up first because nats-server checks a creation against
// the account's storage reservation even when the stream exists: on a
// server whose max_file_store fits the streams once, creating again fails
// with "insufficient storage resources available".
func ensureStream(ctx context.Context, js jetstream.JetStream, want jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, want.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, want)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) { // created meanwhile by another process
			s, err = js.Stream(ctx, want.Name)
		}
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == errCodeStorageExceeded {
		return nil, fmt.Errorf("stream %s: the NATS server cannot reserve its %d bytes of storage: raise the server's max_file_store, or create the stream smaller (--max-bytes, --dead-max-bytes; docs/deploy.md, Storage sizing): %w",
			want.Name, want.MaxBytes, err)
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", want.Name, err)
	}
	cfg := s.CachedInfo().Config
	if cfg.Retention != want.Retention {
		return nil, fmt.Errorf("stream %s exists with %s retention, not %s", cfg.Name, cfg.Retention, want.Retention)
	}
	if !slices.Contains(cfg.Subjects, want.Subjects[0]) {
		return nil, fmt.Errorf("stream %s exists with subjects %v, not %s", cfg.Name, cfg.Subjects, want.Subjects[0])
	}
	return s, nil
}

// ensureConsumer opens the durable consumer, creating it with c's settings
// only when it does not exist. An existing consumer is never changed (on
// nats-server 2.9 a creation is a create-or-update, which would reset
// AckWait and MaxDeliver set by an operator); c.UpdateConsumer asks for
// c.AckWait and c.MaxDeliver to be written to an existing one.
func ensureConsumer(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.Consumer, error) {
	cons, err := js.Consumer(ctx, c.Stream, c.Consumer)
	switch {
	case errors.Is(err, jetstream.ErrConsumerNotFound):
		cons, err = js.CreateConsumer(ctx, c.Stream, consumerConfig(c))
		if errors.Is(err, jetstream.ErrConsumerExists) {
			cons, err = js.Consumer(ctx, c.Stream, c.Consumer)
		}
	case err == nil && c.UpdateConsumer:
		cfg := cons.CachedInfo().Config
		if cfg.AckWait != c.AckWait || cfg.MaxDeliver != c.MaxDeliver {
			cfg.AckWait, cfg.MaxDeliver = c.AckWait, c.MaxDeliver
			cons, err = js.UpdateConsumer(ctx, c.Stream, cfg)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("consumer %s on stream %s: %w", c.Consumer, c.Stream, err)
	}
	return cons, nil
}

// bucketConfig is the workers bucket as rhetor creates it.
func bucketConfig(c Config) jetstream.KeyValueConfig {
	return jetstream.KeyValueConfig{
		Bucket:      c.Bucket,
		Description: "rhetor: live workers and their counters",
		History:     1,
		TTL:         c.HeartbeatTTL,
		Storage:     jetstream.MemoryStorage,
	}
}

// ensureBucket opens the workers bucket, creating it when it does not
// exist. The bucket is memory-backed: a restarted nats-server has lost it,
// and workers call this again to recreate it.
func ensureBucket(ctx context.Context, js jetstream.JetStream, c Config) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, c.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, bucketConfig(c))
		if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			kv, err = js.KeyValue(ctx, c.Bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("key-value bucket %s: %w", c.Bucket, err)
	}
	return kv, nil
}
