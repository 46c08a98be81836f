package org.dtheta.mnist;

import java.util.List;
import picocli.CommandLine.Option;

/** The options of a training run that {@code train} and {@code demo} share. */
final class NetworkOptions {

  @Option(names = "--k", defaultValue = "60000", paramLabel = "N",
      description = "Training images: the first N in file order (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--hidden", defaultValue = "50", paramLabel = "H1,H2,...",
      description = "Hidden widths, comma-separated: 50 is the 784-50-10 net, 32,16 the"
          + " 784-32-16-10 net (default: ${DEFAULT-VALUE}).")
  String hidden;

  @Option(names = "--activation", defaultValue = "sigmoid", paramLabel = "NAME",
      description = "Hidden activation: sigmoid, tanh or relu (default: ${DEFAULT-VALUE}).")
  String activation;

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

  /** The network of {@code --hidden} and {@code --activation}; bad values name the option. */
  Architecture architecture() {
    return new Architecture(Architecture.parseHidden(hidden, "--hidden"),
        Architecture.parseActivation(activation, "--activation"));
  }

  /** These options as command-line words, to pass them on to {@code train}. */
  List<String> asArgs() {
    return List.of("--k", "" + k, "--hidden", hidden, "--activation", activation, "--lr", "" + lr, "--seed", "" + seed,
        "--save-every", "" + saveEvery);
  }
}
