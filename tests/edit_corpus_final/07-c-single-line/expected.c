#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 32

typedef struct {
    char name[MAX_NAME];
    int score;
} Player;

static int compare_scores(const void *a, const void *b)
{
    const Player *pa = a;
    const Player *pb = b;
    return pb->score - pa->score;
}

int load_players(FILE *fp, Player *players, int capacity)
{
    int count = 0;
    char line[128];

    while (count < capacity && fgets(line, sizeof line, fp) != NULL) {
        Player *p = &players[count];
        if (sscanf(line, "%31s %d", p->name, &p->score) == 2) {
            count++;
        }
    }
    return count;
}

void print_ranking(Player *players, int count)
{
    qsort(players, count, sizeof(Player), compare_scores);
    for (int i = 0; i < count; i++) {
        printf("%2d. %-31s %5d\n", i + 1, players[i].name, players[i].score);
    }
}
