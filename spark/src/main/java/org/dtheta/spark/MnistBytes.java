package org.dtheta.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.dtheta.mnist.data.Idx;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFiles;

/**
 * MNIST's four IDX files as bytes, read once on the driver and broadcast; each executor writes
 * them once into a local folder named by their hash, which the tasks pass to dtheta as
 * {@code --data} (so they read exactly the driver's files, wherever they run).
 *
 * @param names the file names (raw or .gz, as found)
 * @param contents their bytes, in the same order
 * @param sha256 SHA-256 of all of them, in order: the folder's name
 */
record MnistBytes(List<String> names, List<byte[]> contents, String sha256) implements Serializable {

  /** The four files of {@code folder}; a missing file or too few images for {@code k} is bad input. */
  static MnistBytes read(Path folder, int k) throws IOException {
    MnistFiles files = MnistFiles.in(folder);
    if (k > 0) {
      int count = Idx.readImages(files.trainImages(), Mnist.SIDE, Mnist.SIDE).count();
      if (k > count) {
        throw new IllegalArgumentException("--k " + k + " must be in 1.." + count + " (the images in "
            + files.trainImages() + ")");
      }
    }
    List<String> names = new ArrayList<>();
    List<byte[]> contents = new ArrayList<>();
    MessageDigest md = newDigest();
    for (Path p : List.of(files.trainImages(), files.trainLabels(), files.testImages(),
        files.testLabels())) {
      byte[] bytes = Files.readAllBytes(p);
      names.add(p.getFileName().toString());
      contents.add(bytes);
      md.update(bytes);
    }
    return new MnistBytes(names, contents, HexFormat.of().formatHex(md.digest()));
  }

  /**
   * The local folder holding these files, written on first use in this JVM's temp folder (into
   * a temporary folder renamed into place, so a reader never sees part of it).
   */
  Path materialize() throws IOException {
    Path base = Path.of(System.getProperty("java.io.tmpdir"), "dtheta-spark-mnist");
    Path folder = base.resolve(sha256);
    if (MnistFiles.presentIn(folder)) {
      return folder;
    }
    Files.createDirectories(base);
    Path tmp = Files.createTempDirectory(base, sha256.substring(0, 12) + ".tmp");
    for (int i = 0; i < names.size(); i++) {
      Files.write(tmp.resolve(names.get(i)), contents.get(i));
    }
    try {
      Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // another task of this JVM or host got there first: its folder has the same bytes
      for (String name : names) {
        Files.deleteIfExists(tmp.resolve(name));
      }
      Files.deleteIfExists(tmp);
      if (!MnistFiles.presentIn(folder)) {
        throw e;
      }
    }
    return folder;
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
