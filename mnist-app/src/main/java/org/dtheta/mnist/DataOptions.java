package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFetcher;
import org.dtheta.mnist.data.MnistFiles;
import picocli.CommandLine.Option;

/** Where MNIST comes from: {@code --data DIR}, or the cache that {@code data fetch} fills. */
final class DataOptions {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "Folder holding MNIST's four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte,"
              + " t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte), raw or .gz. Default: the cache.")
  Path data;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description =
          "Cache folder of 'dtheta data fetch'. Default: $XDG_CACHE_HOME/dtheta/mnist or"
              + " ~/.cache/dtheta/mnist.")
  Path cache;

  /** The cache folder in use. */
  Path cacheFolder() {
    return cache != null ? cache : MnistFetcher.defaultCache();
  }

  /**
   * The folder to read MNIST from: {@code --data} if given, else the cache, which is filled
   * first when {@code fetchIfMissing} (the demo) and missing otherwise is an error saying what
   * to do.
   */
  Path folder(boolean fetchIfMissing, PrintWriter log) throws IOException, InterruptedException {
    if (data != null) {
      return data;
    }
    Path dir = cacheFolder();
    if (MnistFiles.presentIn(dir)) {
      return dir;
    }
    if (fetchIfMissing) {
      return fetch(dir, log);
    }
    throw new NoSuchFileException(
        dir.toString(), null,
        "MNIST is not in the cache; run 'dtheta data fetch' or pass --data DIR");
  }

  /**
   * {@link MnistFetcher#fetch} into {@code cache}, holding the output locks of the four files
   * while they are fetched, so that two fetches into one cache do not run at once.
   */
  static Path fetch(Path cache, PrintWriter log) throws IOException, InterruptedException {
    if (MnistFetcher.verified(cache)) {
      return MnistFetcher.fetch(cache, log); // says so, writes nothing
    }
    OutputGuard.createFolder(cache, "--cache");
    OutputGuard guard = OutputGuard.of(java.util.List.of("data", "fetch", "--cache", cache.toString()));
    for (String name : MnistFiles.NAMES) {
      guard.output("--cache", cache.resolve(name));
    }
    try (OutputGuard claimed = guard.claim()) {
      return MnistFetcher.fetch(cache, log);
    }
  }

  /** Loads MNIST with the first {@code k} training images. */
  Mnist load(int k, boolean fetchIfMissing, PrintWriter log) throws IOException, InterruptedException {
    return Mnist.load(folder(fetchIfMissing, log), k);
  }
}
