class UserPresenter
  def initialize(user)
    @user = user
  end

  def display_name
    if @user.nickname && !@user.nickname.empty?
      @user.nickname
    else
      "#{@user.first_name} #{@user.last_name}".strip
    end
  end

  def avatar_url(size = 64)
    return default_avatar(size) if @user.avatar.nil?

    "#{@user.avatar}?s=#{size}"
  end

  private

  def default_avatar(size)
    "/images/avatar-#{size}.png"
  end
end
