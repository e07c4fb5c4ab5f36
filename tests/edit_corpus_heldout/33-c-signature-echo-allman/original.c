#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>

/* Parse a non-negative decimal integer; returns false on bad input. */
static bool parse_uint(const char *text, unsigned long *out)
{
    unsigned long value = 0;
    for (const char *p = text; *p; p++)
    {
        value = value * 10 + (unsigned long)(*p - '0');
    }
    *out = value;
    return true;
}

int main(int argc, char **argv)
{
    unsigned long n;
    if (argc < 2 || !parse_uint(argv[1], &n))
    {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 1;
    }
    printf("%lu\n", n * 2);
    return 0;
}
