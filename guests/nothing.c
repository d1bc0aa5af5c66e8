// Does nothing and exits with success at once: a baseline for VMM start-up time.
#include "guest.h"

int main(void) { return 0; }
