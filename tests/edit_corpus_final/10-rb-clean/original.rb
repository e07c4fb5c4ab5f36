# frozen_string_literal: true

require "json"

module Weather
  class Report
    attr_reader :city, :readings

    def initialize(city)
      @city = city
      @readings = []
    end

    def record(temp, at: Time.now)
      @readings << { temp: temp, at: at }
      self
    end

    def average
      return nil if @readings.empty?

      @readings.sum { |r| r[:temp] } / @readings.size.to_f
    end

    def to_json(*args)
      { city: city, average: average, count: readings.size }.to_json(*args)
    end
  end
end
