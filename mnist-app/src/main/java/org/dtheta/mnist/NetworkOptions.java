package org.dtheta.mnist;

import java.util.List;
import picocli.CommandLine.Option;

/** The options of a training run that {@code train} and {@code demo} share. */
final class NetworkOptions {

  @Option(names = "--k", defaultValue = "60000", paramLabel = "N",
      description = "Training images: the first N in file order (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--hidden", defaultValue = "50", paramLabel = "H",
      description = "Hidden units (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--lr", defaultValue = "0.1", paramLabel = "ALPHA",
      description = "Learning rate alpha (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
      description = "Seed of the initial weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--save-every", defaultValue = "1", paramLabel = "S",
      description = "Save theta every S steps; the step count must be a multiple"
          + " (default: ${DEFAULT-VALUE}).")
  int saveEvery;

  /** These options as command-line words, to pass them on to {@code train}. */
  List<String> asArgs() {
    return List.of("--k", "" + k, "--hidden", "" + hidden, "--lr", "" + lr, "--seed", "" + seed,
        "--save-every", "" + saveEvery);
  }
}
