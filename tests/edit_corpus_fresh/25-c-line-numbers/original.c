#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 256

struct buffer {
    char *data;
    size_t len;
    size_t cap;
};

static int buffer_grow(struct buffer *buf, size_t extra)
{
    size_t need = buf->len + extra;
    if (need <= buf->cap)
        return 0;
    size_t cap = buf->cap ? buf->cap * 2 : 64;
    while (cap < need)
        cap *= 2;
    char *data = realloc(buf->data, cap);
    if (!data)
        return -1;
    buf->data = data;
    buf->cap = cap;
    return 0;
}

int buffer_append(struct buffer *buf, const char *text)
{
    size_t n = strlen(text);
    if (buffer_grow(buf, n + 1) != 0)
        return -1;
    memcpy(buf->data + buf->len, text, n + 1);
    buf->len += n;
    return 0;
}

int count_lines(FILE *fp)
{
    char line[MAX_LINE];
    int count = 0;
    while (fgets(line, sizeof line, fp))
        count++;
    return count;
}
