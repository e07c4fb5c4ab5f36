package com.example.shapes;

import java.util.Arrays;

public final class Geometry {
	private Geometry() {
	}

	public static double circleArea(double radius) {
		return Math.PI * radius * radius;
	}

	public static double distance(double x1, double y1, double x2, double y2) {
		return Math.hypot(x2 - x1, y2 - y1);
	}

	public static boolean isRightTriangle(double a, double b, double c) {
		double[] sides = {a, b, c};
		Arrays.sort(sides);
		return sides[0] * sides[0] + sides[1] * sides[1] == sides[2] * sides[2];
	}
}
