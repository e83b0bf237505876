#include "linkwatch/cli/cli.h"

int main(int argc, char** argv) { return linkwatch::cli::Main(argc, argv); }
