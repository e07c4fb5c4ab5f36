require "csv"

module Reports
  class SalesReport
    def initialize(path)
      @path = path
    end

    def rows
      CSV.read(@path, headers: true)
    end

    def total_by_region
      rows.each_with_object(Hash.new(0)) do |row, totals|
        totals[row["region"]] += row["amount"].to_f.round(2)
      end
    end

    def to_s
      total_by_region.map { |region, total| "#{region}: #{total}" }.join("\n")
    end
  end
end
