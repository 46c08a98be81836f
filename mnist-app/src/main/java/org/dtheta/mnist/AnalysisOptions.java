package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that analyse a whole training run (spectrum, lyapunov,
 * sensitivity).
 */
final class AnalysisOptions {

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A training run's folder.")
  Path runDir;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder. Default: the run's folder.")
  Path out;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Mixin DataOptions data;

  /**
   * A completed run to analyse and where results go.
   *
   * @param folder the output folder (created, writable)
   * @param run the run's folder
   * @param config the run's config
   */
  record Target(Path folder, RunDir run, TrainConfig config) {}

  /** Reads the run's config and prepares the output folder; errors name the file. */
  Target open() throws IOException {
    Path folder = OutputGuard.createFolder(out != null ? out : runDir, out != null ? "--out" : "--run");
    RunDir run = new RunDir(runDir);
    return new Target(folder, run, run.config());
  }

  /**
   * As {@link #open()}, for a command that walks the run's steps: a run with none exits 2,
   * saying the run has no steps {@code toWhat} (e.g. "to follow").
   */
  Target openWithSteps(String toWhat) throws IOException {
    Target target = open();
    if (target.config().steps() < 1) {
      throw new IllegalArgumentException(
          target.run().runJson() + ": the run has no steps " + toWhat);
    }
    return target;
  }

  /**
   * Claims {@code names} in the target's folder against other writers and against the run's own
   * files (see {@link OutputGuard}).
   */
  OutputGuard claim(Target target, CommandSpec spec, String... names) throws IOException {
    OutputGuard guard = OutputGuard.of(spec).input("--run", target.run().trajectory())
        .input("--run", target.run().runJson()).input("--run", target.run().metrics());
    for (String name : names) {
      guard.output(out != null ? "--out" : "--run", target.folder().resolve(name));
    }
    return guard.claim();
  }

  /** The run's network, data and update map, once the heap is known to hold them and {@code needs}. */
  Model model(Target target, Model.Needs needs, PrintWriter log)
      throws IOException, InterruptedException {
    return Model.forRun(target.run(), target.config(), null, null, data, needs, log);
  }
}
