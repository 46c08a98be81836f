package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dtheta.nn.io.AtomicFiles;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of the commands that analyse a whole training run (spectrum, lyapunov). */
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
    Path folder = out != null ? out : runDir;
    Files.createDirectories(folder);
    AtomicFiles.requireFolder(folder);
    RunDir run = new RunDir(runDir);
    return new Target(folder, run, run.config());
  }

  /** The run's network, data and update map. */
  Model model(Target target, PrintWriter log) throws IOException, InterruptedException {
    return Model.forRun(target.run(), target.config(), null, null, data, log);
  }
}
