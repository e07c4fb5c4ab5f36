#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int buf_init(struct buf *b, size_t cap)
{
	b->data = malloc(cap);
	if (!b->data)
		return -ENOMEM;
	b->len = 0;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const char *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		while (cap < b->len + n)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return -ENOMEM;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
