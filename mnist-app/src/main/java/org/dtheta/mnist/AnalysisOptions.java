package org.dtheta.mnist;

import java.io.IOException;
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

  /** The output folder, created if missing and checked to be writable. */
  Path outputFolder() throws IOException {
    Path folder = out != null ? out : runDir;
    Files.createDirectories(folder);
    AtomicFiles.requireFolder(folder);
    return folder;
  }
}
