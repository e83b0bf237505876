#include "linkwatch/daemon/daemon.h"

int main(int argc, char** argv) { return linkwatch::daemon::RunDaemon(argc, argv); }
