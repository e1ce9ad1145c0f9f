/*
 * The packed-B cache of the blocked GEMM (declared in gemm.h): per Node environment, a few whole packed B
 * matrices keyed by their array's identity and layout, least recently used first out under a byte budget, and a
 * ring of the identities met once (a B is cached the second time it is met).
 */
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

/* Entries and bytes kept per environment; a packed B larger than a quarter of the budget is never kept. */
#define SLOTS 48
#define BUDGET ((size_t)256 << 20)
/* Identities remembered as met once. */
#define SEEN 128

typedef struct entry {
  dtd_packed_key key;
  void *data;
  size_t bytes;
  unsigned long used;
} entry;

struct dtd_packed_cache {
  entry e[SLOTS];
  size_t bytes;
  unsigned long clock;
  double seen[SEEN];
  int next_seen;
};

static int same_key(const dtd_packed_key *a, const dtd_packed_key *b) {
  return a->id == b->id && a->b == b->b && a->brs == b->brs && a->bcs == b->bcs && a->k == b->k && a->n == b->n && a->layout == b->layout;
}

static dtd_packed_cache *cache_of(dtd_scratch *s) {
  if (s->packed == NULL) s->packed = calloc(1, sizeof *s->packed);
  return s->packed;
}

void *dtd_packed_find(dtd_scratch *s, const dtd_packed_key *key, size_t bytes) {
  dtd_packed_cache *c = s->packed;
  if (c == NULL) return NULL;
  for (int i = 0; i < SLOTS; i++) {
    entry *e = &c->e[i];
    if (e->data != NULL && e->bytes == bytes && same_key(&e->key, key)) {
      e->used = ++c->clock;
      return e->data;
    }
  }
  return NULL;
}

static void drop(dtd_packed_cache *c, entry *e) {
  free(e->data);
  c->bytes -= e->bytes;
  memset(e, 0, sizeof *e);
}

/* The least recently used entry holding data, or NULL when none does. */
static entry *oldest(dtd_packed_cache *c) {
  entry *o = NULL;
  for (int i = 0; i < SLOTS; i++)
    if (c->e[i].data != NULL && (o == NULL || c->e[i].used < o->used)) o = &c->e[i];
  return o;
}

void *dtd_packed_insert(dtd_scratch *s, const dtd_packed_key *key, size_t bytes) {
  if (bytes > BUDGET / 4 || key->id == 0) return NULL;
  dtd_packed_cache *c = cache_of(s);
  if (c == NULL) return NULL;
  int met = 0;
  for (int i = 0; i < SEEN && !met; i++) met = c->seen[i] == key->id;
  if (!met) {
    c->seen[c->next_seen] = key->id;
    c->next_seen = (c->next_seen + 1) % SEEN;
    return NULL;
  }
  /* Room: a free slot within the budget, dropping the least recently used entries until there is. */
  entry *slot = NULL;
  for (;;) {
    for (int i = 0; i < SLOTS && slot == NULL; i++)
      if (c->e[i].data == NULL) slot = &c->e[i];
    if (slot != NULL && c->bytes + bytes <= BUDGET) break;
    entry *o = oldest(c);
    if (o == NULL) return NULL;
    drop(c, o);
    slot = NULL;
  }
  size_t rounded = (bytes + 63) / 64 * 64;
  void *data = aligned_alloc(64, rounded == 0 ? 64 : rounded);
  if (data == NULL) return NULL;
  slot->key = *key;
  slot->data = data;
  slot->bytes = bytes;
  slot->used = ++c->clock;
  c->bytes += bytes;
  return data;
}

void dtd_packed_free(dtd_scratch *s) {
  dtd_packed_cache *c = s->packed;
  if (c == NULL) return;
  for (int i = 0; i < SLOTS; i++) free(c->e[i].data);
  free(c);
  s->packed = NULL;
}
